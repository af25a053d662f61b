// `concur serve` as its own process, at its limits: out of file descriptors,
// answering while it is still making its puzzles, and stopped meanwhile.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/cli.hpp"

using concur::test::Background;
using concur::test::Sandbox;
using concur::test::slurp;
using Clock = std::chrono::steady_clock;

namespace {

// Polls `log` until it holds `text` (or the process wrote for `limit`).
bool log_shows(const std::string &log, const std::string &text, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (slurp(log).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// The port from serve's start line: "... on http://127.0.0.1:PORT/ — Ctrl-C to stop".
int served_port(const std::string &log) {
  const std::string text = slurp(log);
  const auto at = text.find("on http://127.0.0.1:");
  REQUIRE(at != std::string::npos);
  return std::stoi(text.substr(at + 20));
}

// CPU seconds (user + system) the process has used so far, from /proc.
double cpu_seconds(pid_t pid) {
  std::istringstream stat(slurp("/proc/" + std::to_string(pid) + "/stat"));
  std::string field;
  for (int i = 1; i < 14; ++i) stat >> field;  // past "(comm)": no spaces in "concur"
  long user = 0, system = 0;
  stat >> user >> system;
  return static_cast<double>(user + system) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// A raw connection that has sent one request: a raw socket because the test
// wants the server's descriptors used up, and its own never pooled.
class Raw {
 public:
  Raw(int port, const std::string &request) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0 &&
                 ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) ==
                     static_cast<ssize_t>(request.size());
  }
  ~Raw() { ::close(fd_); }
  Raw(const Raw &) = delete;
  Raw &operator=(const Raw &) = delete;
  // The answer's status line, "closed" or "reset" without one, "silent" if
  // nothing came within the limit.
  std::string status_line(std::chrono::seconds limit) {
    if (!connected_) return "not connected";
    std::string got;
    char buffer[512];
    const auto deadline = Clock::now() + limit;
    while (got.find("\r\n") == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) return "silent";
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n == 0) return "closed";
      if (n < 0) return "reset";
      got.append(buffer, static_cast<size_t>(n));
    }
    return got.substr(0, got.find("\r\n"));
  }
  // Everything until the server closes (ask with "Connection: close").
  std::string whole(std::chrono::seconds limit) {
    std::string got;
    char buffer[4096];
    const auto deadline = Clock::now() + limit;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) return got;
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return got;
      got.append(buffer, static_cast<size_t>(n));
    }
  }

 private:
  int fd_;
  bool connected_ = false;
};

const char *kHealth = "GET /health HTTP/1.1\r\nHost: t\r\n\r\n";

// One whole answer to GET `path` on a connection of its own.
std::string answer_to(int port, const std::string &path) {
  Raw c(port, "GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  return c.whole(std::chrono::seconds(10));
}

// The value of header `name` in a raw answer ("" when absent).
std::string header_of(const std::string &answer, const std::string &name) {
  const auto at = answer.find("\r\n" + name + ": ");
  if (at == std::string::npos || at > answer.find("\r\n\r\n")) return "";
  const auto from = at + name.size() + 4;
  return answer.substr(from, answer.find("\r\n", from) - from);
}

}  // namespace

TEST_CASE("out of descriptors, serve answers new connections 503 and recovers",
          "[e2e][serve][faults]") {
  Sandbox box;
  const std::string log = box.path("serve.log").string();
  // 40 descriptors in all (hard limit too, so concur cannot raise it): the
  // server runs out after ~30 connections, far below max_connections.
  Background server({"serve", "--port", "0", "--pages", "60", "--cpu-iterations", "100",
                     "--core-iterations", "100"},
                    log, {"prlimit", "--nofile=40:40"});
  REQUIRE(log_shows(log, "Ctrl-C to stop", std::chrono::seconds(30)));
  const int port = served_port(log);

  std::vector<std::unique_ptr<Raw>> held;  // kept open (keep-alive) to use the descriptors up
  for (int i = 0; i < 60; ++i) held.push_back(std::make_unique<Raw>(port, kHealth));
  int ok = 0, refused = 0;
  for (auto &c : held) {
    const std::string status = c->status_line(std::chrono::seconds(10));
    INFO(status);
    // Every connection gets an answer: served, or refused in words.
    REQUIRE((status == "HTTP/1.1 200 OK" || status == "HTTP/1.1 503 Service Unavailable"));
    (status.find("200") != std::string::npos ? ok : refused) += 1;
  }
  CHECK(ok >= 20);
  CHECK(refused >= 20);
  // Held at its limit with nobody knocking, the server waits: accept fails
  // with EMFILE even on an empty backlog, and retrying at once would spin a
  // core. One second of its CPU time, measured (a window, not a wait for
  // anything).
  const double cpu_before = cpu_seconds(server.pid());
  std::this_thread::sleep_for(std::chrono::seconds(1));
  CHECK(cpu_seconds(server.pid()) - cpu_before < 0.2);

  // Once descriptors are free again, new connections are served.
  held.clear();
  std::string after;
  for (auto deadline = Clock::now() + std::chrono::seconds(10); Clock::now() < deadline;) {
    after = Raw(port, kHealth).status_line(std::chrono::seconds(5));
    if (after == "HTTP/1.1 200 OK") break;
  }
  CHECK(after == "HTTP/1.1 200 OK");
  const std::string metrics =
      Raw(port, "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
          .whole(std::chrono::seconds(5));
  // At least the refusals seen above (the retries just before may add some).
  const auto at = metrics.find("\nconcur_connections_refused_total ");
  REQUIRE(at != std::string::npos);
  CHECK(std::stoi(metrics.substr(at + 34)) >= refused);

  server.signal(SIGINT);
  CHECK(server.wait(std::chrono::seconds(10)) == 0);  // a graceful stop
  CHECK_THAT(slurp(log), Catch::Contains("SIGINT, shutting down"));
}

TEST_CASE("Ctrl-C while serve is still making its puzzles ends it at once", "[e2e][serve]") {
  Sandbox box;
  const std::string log = box.path("serve.log").string();
  // An empty cache folder: course-sized puzzles take minutes to make.
  Background server({"serve", "--port", "0", "--pages", "200"}, log,
                    {"env", "CONCUR_CACHE_DIR=" + box.path("cache").string()});
  REQUIRE(log_shows(log, "puzzles, about", std::chrono::seconds(30)));
  server.signal(SIGINT);
  CHECK(server.wait(std::chrono::seconds(10)) == 128 + SIGINT);
}

TEST_CASE("a starting serve answers 503 with Retry-After and its progress, then serves",
          "[e2e][serve][startup]") {
  Sandbox box;
  const std::string log = box.path("serve.log").string();
  // 10 puzzles of 4,000,000 md5 steps (cpu) and 4 x 1,000,000 (core): 2 to
  // 5 seconds of making on 2 cores, in an empty cache folder. The server
  // listens before it makes them, and states their cost once it starts.
  Background server({"serve", "--port", "0", "--pages", "50", "--extra-edges", "60",
                     "--cpu-iterations", "4000000", "--core-iterations", "1000000"},
                    log, {"env", "CONCUR_CACHE_DIR=" + box.path("cache").string()});
  REQUIRE(log_shows(log, "making 10 puzzles, about", std::chrono::seconds(30)));
  const int port = served_port(log);

  const std::string starting = answer_to(port, "/health");
  INFO(starting << slurp(log));
  REQUIRE(starting.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0);
  CHECK(std::stoi(header_of(starting, "Retry-After")) >= 1);
  CHECK(header_of(starting, "Content-Type") == "application/json");
  const std::string body = starting.substr(starting.find("\r\n\r\n") + 4);
  CHECK_THAT(body, Catch::Contains(R"("status":"starting")") &&
                       Catch::Contains(R"("puzzles_total":10)") &&
                       Catch::Contains(R"("seconds_left":)"));
  // Every route, not only /health.
  CHECK(answer_to(port, "/api/").rfind("HTTP/1.1 503", 0) == 0);

  // Ready once /health says so: poll it (bounded), then every route serves.
  const auto deadline = Clock::now() + std::chrono::seconds(180);
  std::string health;
  while ((health = answer_to(port, "/health")).rfind("HTTP/1.1 200", 0) != 0 &&
         Clock::now() < deadline) {
    REQUIRE(health.rfind("HTTP/1.1 503", 0) == 0);  // starting, never anything else
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(health.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(header_of(health, "Retry-After").empty());
  CHECK_THAT(health, Catch::Contains(R"("status":"ok")"));
  CHECK(answer_to(port, "/api/").rfind("HTTP/1.1 200", 0) == 0);
  CHECK(log_shows(log, "Ctrl-C to stop", std::chrono::seconds(10)));

  server.signal(SIGINT);
  CHECK(server.wait(std::chrono::seconds(10)) == 0);
}

TEST_CASE("serve --help states what starting costs and where the puzzles are kept",
          "[e2e][serve][startup]") {
  Sandbox box;
  const auto r = box.concur("serve --help", {}, "CONCUR_CACHE_DIR=" + box.path("c").string());
  CHECK(r.exit_code == 0);
  // The defaults' cost on this machine, the 503s meanwhile, the cache and its folder.
  CHECK_THAT(r.out, Catch::Contains("that is 200 puzzles, about ") &&
                        Catch::Contains("answers every request 503 with a Retry-After") &&
                        Catch::Contains("Puzzle cache:") &&
                        Catch::Contains(box.path("c").string()));
}
