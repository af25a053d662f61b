// An answer that never ends (or is enormous) is cut off at Exchange::kMaxBody:
// the GET fails with a clear error instead of taking all the client's memory.
// The server here is a few lines over a raw socket: ours never answers so.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include "http/client.hpp"
#include "http/loop.hpp"

using concur::http::Exchange;

namespace {

// Accepts `connections` connections one after another and streams a chunked
// body into each until the client stops reading — or 4x the limit, so a client
// that never stops still ends the test.
class EndlessServer {
 public:
  explicit EndlessServer(int connections) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 4) == 0);
    ::getsockname(fd_, reinterpret_cast<sockaddr *>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this, connections] {
      for (int i = 0; i < connections; ++i) serve_one();
    });
  }
  ~EndlessServer() {
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/api/x"; }

 private:
  void serve_one() {
    const int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    std::string request;
    char buffer[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(c, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      request.append(buffer, static_cast<size_t>(n));
    }
    std::string out =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
    size_t sent = 0;
    while (sent < 4 * Exchange::kMaxBody) {
      if (::send(c, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size()))
        break;  // the client hung up: what we wanted
      sent += out.size();
      out = chunk;
    }
    ::close(c);
  }

  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace

TEST_CASE("an endless answer is cut off at the body limit, blocking and in the loop", "[http]") {
  EndlessServer server(2);
  concur::http::Client client(60'000);
  const auto blocking = client.get(server.url());
  CHECK(blocking.status == 0);
  CHECK(blocking.body.empty());
  CHECK_FALSE(blocking.timed_out);
  CHECK(blocking.too_large);
  CHECK_THAT(blocking.error, Catch::Contains("answer larger than 32 MiB: cut off"));

  concur::http::Loop loop(60'000);
  concur::http::Response looped;
  bool finished = false;
  loop.get(server.url(), [&](concur::http::Response r) {
    looped = std::move(r);
    finished = true;
  });
  while (!finished) loop.run_once(-1);
  CHECK(looped.status == 0);
  CHECK(looped.too_large);
  CHECK_THAT(looped.error, Catch::Contains("answer larger than 32 MiB: cut off"));
}
