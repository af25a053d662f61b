// The listener — accepting, max_connections, refusing in words when out of
// file descriptors — and the Server object, which owns the I/O thread: start,
// stop, stats. The connections themselves live in connection.cpp, the answers
// in routes.cpp.
#include <utility>  // before any Asio header: Boost 1.74 Asio misses it under g++ 12 C++20

#include "server/server.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstdlib>
#include <future>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "server/hub.hpp"

namespace concur::server {
namespace io {

void Hub::accept() {
  if (stopping || accepting || !acceptor || connections.size() >= max_connections) return;
  accepting = true;
  acceptor->async_accept([this](error_code ec, Socket socket) {
    accepting = false;
    if (stopping || ec == asio::error::operation_aborted) return;
    if (ec) return on_accept_error(ec);
    reopen_spare();
    // Asio accepts without SOCK_CLOEXEC; as the listening socket, a
    // connection must not live on in a program concur starts (a Lua io.popen).
    ::fcntl(socket.native_handle(), F_SETFD, FD_CLOEXEC);
    start_connection(*this, std::move(socket));
    accept();
  });
}

// Out of descriptors, a connection would wait in the backlog until one is
// freed, and its client could not tell a busy server from a dead one: refuse
// it instead, with a 503, and go on (the next ones too, until a descriptor is
// free again). Linux fails accept with EMFILE before it looks at the backlog,
// so with nobody waiting, wait for a client to knock rather than spin. Other
// errors: back off.
void Hub::on_accept_error(const error_code &ec) {
  const bool out_of_descriptors =
      ec == asio::error::no_descriptors || ec.value() == ENFILE;  // per process, system-wide
  reopen_spare();
  const int refused = out_of_descriptors && spare_fd >= 0 ? refuse_one() : -1;
  if (refused == 1) return accept();
  if (refused == 0) {
    accepting = true;  // until the wait ends: no async_accept beside it
    acceptor->async_wait(tcp::acceptor::wait_read, [this](error_code wait_ec) {
      accepting = false;
      if (!stopping && wait_ec != asio::error::operation_aborted) accept();
    });
    return;
  }
  retry.expires_after(std::chrono::milliseconds(50));
  retry.async_wait([this](error_code wait_ec) {
    if (!wait_ec) accept();
  });
}

// The spare can be lost: another thread of the process (the runner's, with
// the embedded server) may take the descriptor it freed.
void Hub::reopen_spare() {
  if (spare_fd < 0) spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

// 1: a connection was refused; 0: none was waiting; -1: accept failed.
int Hub::refuse_one() {
  static const std::string kRefusal = [] {
    const std::string body = R"({"error":"Server out of file descriptors"})";
    return "HTTP/1.1 503 Service Unavailable\r\nServer: concur\r\nContent-Type: "
           "application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  }();
  ::close(spare_fd);
  const int fd = ::accept4(acceptor->native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
  const int accept_errno = errno;
  if (fd >= 0) {
    // Best effort, never blocking: a new socket's send buffer takes these
    // bytes. What the client already sent is read first (a bounded amount),
    // so that closing does not reset the connection over unread data and
    // lose the answer.
    char request[4096];
    for (int i = 0; i < 16 && ::recv(fd, request, sizeof request, MSG_DONTWAIT) > 0; ++i) {
    }
    (void)!::send(fd, kRefusal.data(), kRefusal.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    ::close(fd);
    ++routes.metrics().connections_refused;
  }
  spare_fd = -1;
  reopen_spare();
  if (fd >= 0) return 1;
  return accept_errno == EAGAIN || accept_errno == EWOULDBLOCK ? 0 : -1;
}

void Hub::close_all() {
  stopping = true;
  error_code ignored;
  if (acceptor) acceptor->close(ignored);
  if (spare_fd >= 0) ::close(spare_fd);
  spare_fd = -1;
  retry.cancel();
  for (Connection *c : connections) close_connection(*c);
}

}  // namespace io

namespace asio = boost::asio;
using io::error_code;
using io::Hub;
using io::tcp;

namespace {

// The scheduler's total run time of thread `tid` (ns in the file), as the
// process's CPU clock counts it; -1 when the kernel offers no schedstat.
double scheduled_runtime_s(pid_t tid) {
  const std::string path = "/proc/self/task/" + std::to_string(tid) + "/schedstat";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char text[96];
  const ssize_t n = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  if (n <= 0) return -1;
  text[n] = '\0';
  char *end = nullptr;
  const unsigned long long ns = std::strtoull(text, &end, 10);
  return end == text ? -1 : static_cast<double>(ns) / 1e9;
}

double this_thread_clock_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

Server::Usage measure_this_thread() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  auto seconds = [](const timeval &tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return {seconds(ru.ru_utime), seconds(ru.ru_stime)};
}

tcp::endpoint listen_endpoint(asio::io_context &ioc, const Settings &s, error_code &ec) {
  const auto port = static_cast<unsigned short>(s.port);
  const auto address = asio::ip::make_address(s.host, ec);
  if (!ec) return {address, port};
  tcp::resolver resolver(ioc);
  const auto results = resolver.resolve(s.host, std::to_string(s.port), ec);
  if (ec) return {};
  return *results.begin();
}

}  // namespace

struct Server::Impl {
  explicit Impl(std::shared_ptr<const Graph> graph) : hub(std::move(graph)), ready(true) {}
  Impl(const Settings &settings, std::shared_ptr<const Startup> startup)
      : hub(settings, std::move(startup)) {}

  void run() {  // the I/O thread
    for (;;) {
      try {
        hub.ioc.run();
        break;
      } catch (const std::exception &e) {  // a handler threw: log it, keep serving
        std::cerr << "concur server: " << e.what() << '\n';
        hub.accept();  // in case it was the accept handler: accepting again is harmless
      }
    }
    const Usage usage = measure_this_thread();
    const double runtime_s = this_thread_clock_s();
    const std::lock_guard lock(usage_mutex);
    ended.user_s += usage.user_s;
    ended.sys_s += usage.sys_s;
    ended_runtime_s += runtime_s;
  }

  void bind(const Settings &s);

  Hub hub;
  std::thread thread;
  mutable std::mutex mutex;  // start, stop, thread_usage
  mutable std::mutex usage_mutex;
  Usage ended;                 // of the I/O threads that have finished
  double ended_runtime_s = 0;  // of the I/O threads that have finished
  pid_t tid = 0;               // of the running I/O thread
  bool running = false;
  std::atomic<bool> ready{false};  // hub.routes has its graph
  int port = 0;
  std::string base_url;
};

void Server::Impl::bind(const Settings &s) {
  const std::string address = s.host + ":" + std::to_string(s.port);
  auto fail = [&](const error_code &ec) {
    hub.acceptor.reset();
    throw std::runtime_error("cannot listen on " + address + ": " + ec.message());
  };
  error_code ec;
  if (s.port < 0 || s.port > 65535)
    fail(asio::error::make_error_code(asio::error::invalid_argument));
  const tcp::endpoint endpoint = listen_endpoint(hub.ioc, s, ec);
  if (ec) fail(ec);
  hub.acceptor.emplace(hub.ioc);
  if (hub.acceptor->open(endpoint.protocol(), ec)) fail(ec);
  // Asio opens without SOCK_CLOEXEC: a program started meanwhile (a Lua
  // io.popen, say) would keep the port listening after stop().
  ::fcntl(hub.acceptor->native_handle(), F_SETFD, FD_CLOEXEC);
  if (hub.acceptor->set_option(tcp::acceptor::reuse_address(true), ec)) fail(ec);
  if (hub.acceptor->bind(endpoint, ec)) fail(ec);
  if (hub.acceptor->listen(asio::socket_base::max_listen_connections, ec)) fail(ec);
  // Hub::refuse_one accepts by hand: it must never block the I/O thread.
  if (hub.acceptor->non_blocking(true, ec)) fail(ec);
  port = hub.acceptor->local_endpoint().port();
  const auto bound = endpoint.address();
  const std::string host = bound.is_unspecified() ? "127.0.0.1"
                           : bound.is_v6()        ? "[" + bound.to_string() + "]"
                                                  : bound.to_string();
  base_url = "http://" + host + ":" + std::to_string(port);
}

Server::Server(std::shared_ptr<const Graph> graph)
    : impl_(std::make_unique<Impl>(std::move(graph))) {}

Server::Server(const Settings &settings, std::shared_ptr<const Startup> startup)
    : impl_(std::make_unique<Impl>(settings, std::move(startup))) {}

Server::~Server() {
  stop();
}

void Server::start() {
  const std::lock_guard lock(impl_->mutex);
  if (impl_->running) return;
  Hub &hub = impl_->hub;
  const Settings &s = hub.routes.settings();
  hub.ioc.restart();
  hub.stopping = false;
  hub.max_connections = static_cast<size_t>(std::max(1, s.max_connections));
  impl_->bind(s);
  hub.reopen_spare();
  hub.routes.prepare(impl_->base_url);
  hub.accept();  // the I/O thread is not running yet: safe from here
  std::promise<pid_t> started;
  impl_->thread = std::thread([impl = impl_.get(), &started] {
    started.set_value(::gettid());
    impl->run();
  });
  impl_->tid = started.get_future().get();
  impl_->running = true;
}

void Server::stop() {
  const std::lock_guard lock(impl_->mutex);
  if (!impl_->running) return;
  Hub &hub = impl_->hub;
  asio::post(hub.ioc, [&hub] { hub.close_all(); });
  impl_->thread.join();  // run() returns once every connection's handlers are done
  hub.acceptor.reset();
  impl_->running = false;
}

void Server::serve(std::shared_ptr<const Graph> graph) {
  auto routes = std::make_unique<Routes>(std::move(graph));
  const std::lock_guard lock(impl_->mutex);
  if (impl_->ready) throw std::logic_error("Server::serve: the server has its graph already");
  Hub &hub = impl_->hub;
  if (impl_->running) {
    routes->prepare(impl_->base_url);
    std::promise<void> swapped;
    asio::post(hub.ioc, [&] {
      hub.routes.take_over(std::move(*routes));
      swapped.set_value();
    });
    swapped.get_future().get();
  } else {
    hub.routes.take_over(std::move(*routes));  // start() prepares it
  }
  impl_->ready = true;
}

bool Server::ready() const {
  return impl_->ready;
}

int Server::port() const {
  return impl_->port;
}

std::string Server::base_url() const {
  return impl_->base_url;
}

void Server::reset_request_counts() {
  impl_->hub.routes.reset_request_counts();
}

Server::PageCounts Server::page_counts() const {
  return {impl_->hub.routes.page_requests(), impl_->hub.routes.page_answers_ok()};
}

const Graph &Server::graph() const {
  return impl_->hub.routes.graph();
}

Server::Stats Server::stats() const {
  const std::lock_guard lock(impl_->mutex);
  auto snapshot = [hub = &impl_->hub] {
    Metrics &m = hub->routes.metrics();
    uint64_t answered = 0;
    for (const auto &entry : m.requests) answered += entry.second;
    return Stats{m.connections_open,      m.connections_peak, m.connections_accepted,
                 m.connections_timed_out, m.in_flight,        answered};
  };
  if (!impl_->running) return snapshot();  // no I/O thread to race with
  std::promise<Stats> promise;
  auto future = promise.get_future();
  asio::post(impl_->hub.ioc, [&] { promise.set_value(snapshot()); });
  return future.get();
}

Server::Usage Server::thread_usage() const {
  const std::lock_guard lock(impl_->mutex);
  Usage total;
  {
    const std::lock_guard usage_lock(impl_->usage_mutex);
    total = impl_->ended;
  }
  if (!impl_->running) return total;
  std::promise<Usage> promise;
  auto future = promise.get_future();
  asio::post(impl_->hub.ioc, [&promise] { promise.set_value(measure_this_thread()); });
  const Usage now = future.get();
  return {total.user_s + now.user_s, total.sys_s + now.sys_s};
}

double Server::thread_runtime_s() const {
  const std::lock_guard lock(impl_->mutex);  // the thread neither starts nor ends meanwhile
  double total = 0;
  {
    const std::lock_guard usage_lock(impl_->usage_mutex);
    total = impl_->ended_runtime_s;
  }
  if (!impl_->running) return total;
  double now = scheduled_runtime_s(impl_->tid);
  if (now < 0) {  // no schedstat: the thread's own clock, exact but ahead of the process's
    clockid_t clock{};
    timespec ts{};
    if (pthread_getcpuclockid(impl_->thread.native_handle(), &clock) == 0 &&
        clock_gettime(clock, &ts) == 0)
      now = static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
    else
      now = 0;
  }
  return total + now;
}

}  // namespace concur::server
