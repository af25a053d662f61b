// A real redis-server (Debian's) for a test: on a free loopback port, in a
// scratch folder, no persistence; stopped by its PID when the fixture goes.
// Tests of the distributed strategy talk to it as users' runs would.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

namespace concur::test {

// A port nobody listens on at `address` right now.
inline int free_port(const std::string &address) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  ::inet_pton(AF_INET, address.c_str(), &a.sin_addr);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class RedisServer {
 public:
  // `bind`: the address it listens on (a test host's gateway, for workers in
  // network namespaces); loopback by default.
  explicit RedisServer(std::string bind = "127.0.0.1") : bind_(std::move(bind)) {
    dir_ = std::filesystem::temp_directory_path() /
           ("concur-redis-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(dir_);
    // A port taken between our probe and redis's bind makes redis exit: try again.
    for (int attempt = 0; attempt < 5 && pid_ < 0; ++attempt) start(free_port(bind_));
    if (pid_ < 0) throw std::runtime_error("redis-server did not start (" + dir_.string() + ")");
  }
  ~RedisServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  RedisServer(const RedisServer &) = delete;
  RedisServer &operator=(const RedisServer &) = delete;

  int port() const { return port_; }
  std::string url() const { return "redis://" + bind_ + ":" + std::to_string(port_); }
  pid_t pid() const { return pid_; }

 private:
  static int &counter() {
    static int n = 0;
    return n;
  }

  void start(int port) {
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      const std::string p = std::to_string(port), dir = dir_.string();
      const std::string log = (dir_ / "redis.log").string();
      // A non-loopback bind serves test hosts (network namespaces) on private
      // veth links: they are not "local" to protected mode.
      const char *protect = bind_ == "127.0.0.1" ? "yes" : "no";
      // Not the test's sockets: a demo server's listening socket kept open in
      // redis would answer connects after the test stopped that server.
      ::close_range(3, ~0U, 0);
      ::execlp("redis-server", "redis-server", "--port", p.c_str(), "--bind", bind_.c_str(),
               "--protected-mode", protect, "--save", "", "--appendonly", "no", "--dir",
               dir.c_str(), "--logfile", log.c_str(), "--daemonize", "no",
               static_cast<char *>(nullptr));
      ::_exit(127);  // not installed: scripts/install-deps.sh installs redis-server
    }
    // Ready when it answers PING; gone when it exited (port taken, not installed).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
          throw std::runtime_error("redis-server is not installed: run scripts/install-deps.sh");
        return;
      }
      if (answers_ping(port)) {
        pid_ = pid;
        port_ = port;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }

  bool answers_ping(int port) const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, bind_.c_str(), &a.sin_addr);
    bool ok = false;
    if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0 &&
        ::write(fd, "PING\r\n", 6) == 6) {
      char reply[8] = {0};
      ok = ::read(fd, reply, sizeof reply - 1) > 0 && std::strncmp(reply, "+PONG", 5) == 0;
    }
    ::close(fd);
    return ok;
  }

  std::string bind_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace concur::test
