// The demo server's HTTP request handling, whole: any bytes sent on a real
// loopback connection to a real server (the one `concur serve` runs) must get
// an HTTP/1.x response or a clean close — never a hang, never a crash. The client
// half-closes after sending, so the server always sees the end of input.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "server/graph.hpp"
#include "server/server.hpp"

namespace {

int server_port() {
  static std::unique_ptr<concur::server::Server> server = [] {
    concur::server::Settings s;
    s.pages = 60;
    s.delay_scale = 0;  // answers at once: a fuzz input must not wait 5 s for a delay page
    s.cpu_iterations = 100;
    s.core_iterations = 100;
    s.idle_timeout_s = 5;
    auto graph = std::make_shared<const concur::server::Graph>(concur::server::Graph::build(s));
    auto started = std::make_unique<concur::server::Server>(graph);
    started->start();
    return started;
  }();
  const std::string url = server->base_url();
  return std::atoi(url.substr(url.rfind(':') + 1).c_str());
}

[[noreturn]] void fail(const char *why, int error = 0) {
  std::fprintf(stderr, "fuzz_http_request: %s%s%s\n", why, error ? ": " : "",
               error ? std::strerror(error) : "");
  std::abort();
}

// libFuzzer's watchdog is a SIGALRM timer: any blocking call here may return
// EINTR. A connect so interrupted goes on in the background, so wait for it
// and ask how it ended.
void connect_to(int fd, const sockaddr_in &a) {
  if (::connect(fd, reinterpret_cast<const sockaddr *>(&a), sizeof a) == 0) return;
  if (errno != EINTR) fail("cannot connect", errno);
  pollfd p{fd, POLLOUT, 0};
  while (::poll(&p, 1, 10'000) < 0 && errno == EINTR) {
  }
  int error = 0;
  socklen_t len = sizeof error;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
  if (error != 0 || (p.revents & POLLOUT) == 0) fail("cannot connect", error ? error : ETIMEDOUT);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const int port = server_port();
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0) fail("no socket", errno);
  connect_to(fd, a);
  // Reset on close: no TIME_WAIT pile-up over a long run.
  const linger reset{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  for (size_t sent = 0; sent < size;) {
    const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the server may close early (a bad request): fine
    sent += static_cast<size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string answer;
  char buffer[65536];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    const int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) fail("no answer and no close within 10 s");
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // closed (or reset after a refusal)
    if (answer.size() < 16) answer.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  // HTTP/1.1, or 1.0 to a 1.0 request.
  if (!answer.empty() && answer.rfind("HTTP/1.", 0) != 0) fail("an answer that is not HTTP");
  return 0;
}
