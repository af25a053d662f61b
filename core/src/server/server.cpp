// The only translation unit with Beast/Asio in it (~15 s to compile): the
// answers themselves live in routes.cpp.
#include <utility>  // before any Asio header: Boost 1.74 Asio misses it under g++ 12 C++20

#include "server/server.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
// g++ 12 with -fsanitize=address sees a boost::optional in Beast's parser
// (content_length) as maybe uninitialized: a known false positive.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop
#include <cerrno>
#include <charconv>
#include <future>
#include <iostream>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_set>

#include "server/routes.hpp"

namespace concur::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
// The io_context's own executor rather than the type-erased any_io_executor:
// every async operation would otherwise copy and dispatch through it.
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Acceptor = asio::basic_socket_acceptor<tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Executor>;
using Clock = std::chrono::steady_clock;

constexpr size_t kHeaderLimit = 8 * 1024;
constexpr uint64_t kBodyLimit = 4 * 1024;
constexpr auto kLinger = std::chrono::seconds(1);
// Per connection, what the kernel may hold of answers the client has not
// read. Linux autotunes it up to 4 MB: 100 clients that pipeline requests
// and never read held 377 MB of kernel memory (scripts/bench-hostile.sh).
// Linux caps what is asked at net.core.wmem_max (208 KB by default) and
// doubles it. Our largest answers (/api/cheat/ of a big graph) still go out,
// in rounds.
constexpr int kSendBuffer = 256 * 1024;

Server::Usage measure_this_thread() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  auto seconds = [](const timeval &tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return {seconds(ru.ru_utime), seconds(ru.ru_stime)};
}

class Connection;

// Everything the I/O thread owns; only that thread touches it while it runs.
struct Hub {
  explicit Hub(std::shared_ptr<const Graph> graph) : routes(std::move(graph)) {}

  void accept();
  void on_accept_error(const error_code &ec);
  void reopen_spare();
  int refuse_one();
  void close_all();

  asio::io_context ioc{1};  // first: destroyed after the sockets and timers
  Routes routes;
  std::optional<Acceptor> acceptor;
  Timer retry{ioc.get_executor()};
  std::unordered_set<Connection *> connections;
  size_t max_connections = 1;
  bool stopping = false;
  bool accepting = false;
  // Held so that, out of descriptors, one is free to accept a connection and
  // refuse it (libev's and nginx's trick); -1 while given up.
  int spare_fd = -1;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Hub &hub, Socket socket)
      : hub_(hub),
        socket_(std::move(socket)),
        timer_(hub.ioc.get_executor()),
        deadline_(hub.ioc.get_executor()) {
    head_.reserve(256);
    hub_.connections.insert(this);
    Metrics &m = hub_.routes.metrics();
    ++m.connections_accepted;
    m.connections_peak = std::max(m.connections_peak, ++m.connections_open);
  }
  ~Connection() {
    Metrics &m = hub_.routes.metrics();
    --m.connections_open;
    if (in_flight_) --m.in_flight;
    hub_.connections.erase(this);
    hub_.accept();  // resumes accepting if max_connections had paused it
  }

  void read();
  void close() {
    error_code ignored;
    socket_.close(ignored);
    timer_.cancel();
    deadline_.cancel();
  }

 private:
  void on_read(error_code ec);
  void refuse(http::status status, const std::string &message);
  void write();
  void on_write(error_code ec);
  void linger();
  void drain();
  void render_head();
  void arm_deadline();
  void wait_deadline();
  void disarm_deadline() { deadline_at_ = Clock::time_point::max(); }
  void begin_request();

  Hub &hub_;
  Socket socket_;
  Timer timer_;
  // Bounds how long the client may take to send a request or take an answer
  // (idle_timeout_s); never armed during the page's own delay. Arming and
  // disarming only move deadline_at_: the timer waits lazily and, when it
  // fires early, waits again for the moved deadline, so a request costs no
  // timer-queue work and no cancelled handler.
  Timer deadline_;
  Clock::time_point deadline_at_ = Clock::time_point::max();  // max: disarmed
  bool deadline_waiting_ = false;
  Clock::time_point read_at_;
  bool in_flight_ = false;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Answer answer_;
  // The answer goes out as one gathered write: the status line and headers
  // (head_, its capacity kept between requests), then the body's parts.
  std::string head_;
  std::array<asio::const_buffer, 4> out_;
  unsigned version_ = 11;
  bool head_only_ = false;
  bool keep_alive_ = false;
  bool refused_ = false;
};

void Hub::accept() {
  if (stopping || accepting || !acceptor || connections.size() >= max_connections) return;
  accepting = true;
  acceptor->async_accept([this](error_code ec, Socket socket) {
    accepting = false;
    if (stopping || ec == asio::error::operation_aborted) return;
    if (ec) return on_accept_error(ec);
    reopen_spare();
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    socket.set_option(asio::socket_base::send_buffer_size(kSendBuffer), ignored);
    std::make_shared<Connection>(*this, std::move(socket))->read();
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
  for (Connection *c : connections) c->close();
}

void Connection::read() {
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(kBodyLimit);
  arm_deadline();
  http::async_read(socket_, buffer_, *parser_,
                   [self = shared_from_this()](error_code ec, size_t) { self->on_read(ec); });
}

void Connection::arm_deadline() {
  const double seconds = hub_.routes.settings().idle_timeout_s;
  if (seconds <= 0) return;
  deadline_at_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(seconds));
  if (!deadline_waiting_) wait_deadline();
}

// The handler holds only a weak reference: a waiting deadline must not keep a
// finished connection (and its max_connections slot) alive.
void Connection::wait_deadline() {
  deadline_waiting_ = true;
  deadline_.expires_at(deadline_at_);
  deadline_.async_wait([weak = weak_from_this()](error_code ec) {
    const auto self = weak.lock();
    if (!self) return;
    self->deadline_waiting_ = false;
    // Disarmed: the next arm_deadline() waits again.
    if (ec || self->hub_.stopping || self->deadline_at_ == Clock::time_point::max()) return;
    if (Clock::now() < self->deadline_at_) return self->wait_deadline();  // moved on since
    ++self->hub_.routes.metrics().connections_timed_out;
    self->close();
  });
}

void Connection::begin_request() {
  disarm_deadline();
  read_at_ = Clock::now();
  if (!in_flight_) ++hub_.routes.metrics().in_flight;
  in_flight_ = true;
}

void Connection::on_read(error_code ec) {
  if (hub_.stopping || ec == asio::error::operation_aborted) return;
  if (ec == http::error::header_limit)
    // Beast hands the request line to the message (and drops its bytes) as
    // soon as it is whole: no target yet means the line itself was too long.
    return !parser_->get().target().empty()
               ? refuse(http::status::request_header_fields_too_large, "Request header too large")
               : refuse(http::status::uri_too_long, "Request line too long");
  if (ec == http::error::body_limit)
    return refuse(http::status::payload_too_large, "Request body too large");
  // The client left (end_of_stream, partial_message) or the socket failed:
  // nobody to answer. Any other parser error is a malformed request.
  if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
      (ec && ec.category() != http::make_error_code(http::error::bad_method).category()))
    return;
  if (ec) return refuse(http::status::bad_request, "Malformed request");

  begin_request();
  const auto &request = parser_->get();
  head_only_ = request.method() == http::verb::head;
  keep_alive_ = request.keep_alive();
  version_ = request.version();
  const auto method = request.method_string();
  const auto target = request.target();
  try {
    answer_ = hub_.routes.answer({method.data(), method.size()}, {target.data(), target.size()});
  } catch (const std::exception &e) {  // a bug: this client gets a 500, the others go on
    std::cerr << "concur server: " << e.what() << '\n';
    in_flight_ = false;
    --hub_.routes.metrics().in_flight;  // refuse() begins the request again
    return refuse(http::status::internal_server_error, "Internal server error");
  }
  if (answer_.delay.count() <= 0) return write();
  timer_.expires_after(answer_.delay);
  timer_.async_wait([self = shared_from_this()](error_code wait_ec) {
    if (!wait_ec && !self->hub_.stopping) self->write();
  });
}

void Connection::refuse(http::status status, const std::string &message) {
  begin_request();
  refused_ = true;
  head_only_ = false;
  keep_alive_ = false;
  version_ = 11;
  answer_ = Answer{};
  answer_.status = static_cast<int>(status);
  answer_.body = "{\"error\":\"" + message + "\"}";  // fixed texts: nothing to escape
  write();
}

void Connection::write() {
  Routes::finish(answer_);
  Metrics &metrics = hub_.routes.metrics();
  ++metrics.requests[{answer_.label, answer_.status}];
  if (answer_.label < kPageTypeCount) {
    const auto late = Clock::now() - read_at_ - answer_.delay;
    metrics.record_delay_error(std::chrono::duration<double, std::milli>(late).count());
  }
  render_head();
  out_ = {asio::buffer(head_), asio::const_buffer(), asio::const_buffer(), asio::const_buffer()};
  if (!head_only_) {  // HEAD: Content-Length stays what GET would send, no body
    if (answer_.fixed) out_[1] = asio::buffer(*answer_.fixed);
    out_[2] = asio::buffer(answer_.body);
    out_[3] = asio::buffer(answer_.tail.data(), answer_.tail_size);
  }
  arm_deadline();
  asio::async_write(socket_, out_, [self = shared_from_this()](error_code ec, size_t bytes) {
    self->hub_.routes.metrics().bytes_sent += bytes;
    self->on_write(ec);
  });
}

// What Beast's serializer wrote for these responses, without its generality.
void Connection::render_head() {
  auto number = [this](uint64_t n) {
    char buf[24];
    head_.append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
  };
  const auto status = static_cast<unsigned>(answer_.status);
  head_.assign(version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  number(status);
  head_ += ' ';
  const auto reason = http::obsolete_reason(http::int_to_status(status));
  head_.append(reason.data(), reason.size());
  head_ += "\r\nServer: concur\r\n";
  if (answer_.status == 307) {
    head_ += "Location: ";
    head_ += answer_.location;
  } else {
    head_ += "Content-Type: ";
    head_ += answer_.content_type;
  }
  if (answer_.method_not_allowed) head_ += "\r\nAllow: GET, HEAD";
  head_ += "\r\nContent-Length: ";
  number(answer_.size());
  if (version_ == 10 && keep_alive_)
    head_ += "\r\nConnection: keep-alive";
  else if (version_ != 10 && !keep_alive_)
    head_ += "\r\nConnection: close";
  head_ += "\r\n\r\n";
}

void Connection::on_write(error_code ec) {
  disarm_deadline();
  if (in_flight_) --hub_.routes.metrics().in_flight;
  in_flight_ = false;
  if (ec || hub_.stopping) return;  // the last handle going closes the socket
  if (refused_) return linger();
  if (keep_alive_) return read();
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
}

// After refusing a request, read what the client is still sending for a
// moment: closing with unread data would reset the connection and the client
// might lose our answer.
void Connection::linger() {
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  buffer_.consume(buffer_.size());
  timer_.expires_after(kLinger);
  timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (!ec) self->close();
  });
  drain();
}

void Connection::drain() {
  socket_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](error_code ec, size_t) {
                            if (!ec && !self->hub_.stopping) return self->drain();
                            self->timer_.cancel();
                          });
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
  explicit Impl(std::shared_ptr<const Graph> graph) : hub(std::move(graph)) {}

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
    const std::lock_guard lock(usage_mutex);
    ended.user_s += usage.user_s;
    ended.sys_s += usage.sys_s;
  }

  void bind(const Settings &s);

  Hub hub;
  std::thread thread;
  mutable std::mutex mutex;  // start, stop, thread_usage
  mutable std::mutex usage_mutex;
  Usage ended;  // of the I/O threads that have finished
  bool running = false;
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
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
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

int Server::port() const {
  return impl_->port;
}

std::string Server::base_url() const {
  return impl_->base_url;
}

void Server::reset_request_counts() {
  impl_->hub.routes.reset_request_counts();
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

}  // namespace concur::server
