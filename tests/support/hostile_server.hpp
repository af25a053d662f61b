// A server that fights dirty, for the hardening tests: a valid root and hub
// page, and behind the hub one page per way an HTTP answer can go wrong —
// garbage, a body cut short, an endless body, a redirect loop, a 10 MB page,
// a connection that never answers ... Plain sockets and a thread per
// connection: the point is bytes on the wire that no real server library
// would send. Binds 127.0.0.1 on a free port; everything stops with it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace concur::test {

class HostileServer {
 public:
  // Each hostile page and the failure a crawler should report for it
  // (http::failure_kind's words; bad_page: the body is no page).
  static const std::map<std::string, std::string> &failing() {
    static const std::map<std::string, std::string> pages = {
        {"garbage", "bad_page"},       {"notjson", "bad_page"},      {"truncated", "truncated"},
        {"endless", "too_large"},      {"loop", "redirect_loop"},    {"hang", "timeout"},
        {"nothttp", "bad_http"},       {"reset", "connection_lost"}, {"error", "http_500"},
        {"silent", "connection_lost"}, {"drip", "timeout"}};
    return pages;
  }
  // Odd but readable: they must count as pages.
  static std::vector<std::string> fine() { return {"hub", "fine", "wrongtype", "huge"}; }

  HostileServer() : listener_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof a;
    if (::bind(listener_, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 ||
        ::listen(listener_, 128) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr *>(&a), &size) != 0)
      throw std::runtime_error("hostile server: cannot listen");
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~HostileServer() {
    const uint64_t one = 1;
    (void)!::write(stop_, &one, sizeof one);  // wakes every poll below
    acceptor_.join();
    const std::lock_guard lock(mutex_);
    for (auto &t : connections_) t.join();
    ::close(listener_);
    ::close(stop_);
  }
  HostileServer(const HostileServer &) = delete;
  HostileServer &operator=(const HostileServer &) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  // Waits until `fd` is readable or the server stops; false on stop.
  bool wait_readable(int fd) const {
    pollfd p[2] = {{fd, POLLIN, 0}, {stop_, POLLIN, 0}};
    ::poll(p, 2, -1);
    return (p[1].revents & POLLIN) == 0;
  }

  void accept_loop() {
    while (wait_readable(listener_)) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      const std::lock_guard lock(mutex_);
      connections_.emplace_back([this, fd] {
        serve(fd);
        ::close(fd);
      });
    }
  }

  // Requests on one connection until the client goes or a page ends it.
  void serve(int fd) {
    std::string buffer;
    for (;;) {
      size_t end;
      while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
        char chunk[4096];
        if (!wait_readable(fd)) return;
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return;
        buffer.append(chunk, static_cast<size_t>(n));
      }
      const std::string head = buffer.substr(0, end);
      buffer.erase(0, end + 4);
      const size_t from = head.find(' ') + 1;
      const std::string path = head.substr(from, head.find(' ', from) - from);
      if (!answer(fd, path)) return;
    }
  }

  bool send_all(int fd, const std::string &bytes) {
    for (size_t sent = 0; sent < bytes.size();) {
      const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }
  bool reply(int fd, const std::string &status, const std::string &type, const std::string &body) {
    return send_all(fd, "HTTP/1.1 " + status + "\r\nContent-Type: " + type +
                            "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                            body);
  }
  static std::string page(const std::string &id, const std::vector<std::string> &links,
                          const std::string &extra = "") {
    std::string list;
    for (const auto &l : links) list += (list.empty() ? "\"/api/" : ",\"/api/") + l + "\"";
    return "{\"page_id\":\"" + id + "\",\"page_type\":\"regular\",\"links\":[" + list + "]" +
           extra + "}";
  }

  // False: the connection ends here.
  bool answer(int fd, const std::string &path) {
    const std::string json = "application/json";
    const std::string id = path.rfind("/api/", 0) == 0 ? path.substr(5) : "";
    if (path == "/api/") return reply(fd, "200 OK", json, "{\"links\":[\"hub\"]}");
    if (id == "hub") {
      std::vector<std::string> links = {"fine", "wrongtype", "huge"};
      for (const auto &[name, why] : failing()) links.push_back(name);
      return reply(fd, "200 OK", json, page("hub", links));
    }
    if (id == "fine") return reply(fd, "200 OK", json, page("fine", {}));
    if (id == "wrongtype") return reply(fd, "200 OK", "text/html", page("wrongtype", {"fine"}));
    if (id == "huge")  // 10 MB, a page all the same
      return reply(fd, "200 OK", json,
                   page("huge", {"fine"}, ",\"padding\":\"" + std::string(10'000'000, 'x') + "\""));
    if (id == "garbage") {
      std::string noise(4096, '\0');
      for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 7919) >> 3);
      return reply(fd, "200 OK", json, noise);
    }
    if (id == "notjson")
      return reply(fd, "200 OK", "text/html", "<html><body>Not here</body></html>");
    if (id == "truncated") {
      send_all(fd,
               "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n" +
                   page("truncated", {}).substr(0, 20));
      return false;
    }
    if (id == "endless") {  // until the client gives up (bounded: 64 MiB)
      send_all(fd,
               "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
               "Transfer-Encoding: chunked\r\n\r\n");
      const std::string chunk = "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
      for (int i = 0; i < 1024 && send_all(fd, chunk); ++i) {
      }
      return false;
    }
    if (id == "loop")
      return send_all(fd, "HTTP/1.1 302 Found\r\nLocation: /api/loop\r\nContent-Length: 0\r\n\r\n");
    if (id == "hang") {  // holds the connection until the client leaves or the server stops
      char c;
      while (wait_readable(fd) && ::recv(fd, &c, 1, 0) > 0) {
      }
      return false;
    }
    if (id == "nothttp") {
      send_all(fd, "SSH-2.0-OpenSSH_9.2\r\nProtocol mismatch.\r\n");
      return false;
    }
    if (id == "reset") {  // a reset, no answer at all
      const linger now{1, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &now, sizeof now);
      return false;
    }
    if (id == "silent") return false;  // closes without a byte
    if (id == "drip") {  // a valid head, then a byte every 50 ms: only a total time limit ends it
      if (!send_all(fd,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    "Content-Length: 100000\r\n\r\n"))
        return false;
      for (int i = 0; i < 100'000 && send_all(fd, " "); ++i) {
        pollfd p{stop_, POLLIN, 0};
        if (::poll(&p, 1, 50) != 0) break;  // the server stops
      }
      return false;
    }
    if (id == "error") return reply(fd, "500 Internal Server Error", json, "{\"error\":\"no\"}");
    return reply(fd, "404 Not Found", json, "{\"error\":\"Page not found\"}");
  }

  int listener_;
  int stop_ = ::eventfd(0, EFD_CLOEXEC);
  int port_ = 0;
  std::mutex mutex_;
  std::vector<std::thread> connections_;
  std::thread acceptor_;
};

}  // namespace concur::test
