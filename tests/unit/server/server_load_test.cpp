// The server under awkward clients: stalled, malformed, too many, idle.
// Every wait here is for a condition (an answer, a counter, a close), with a
// generous bound only so that a broken server fails the test instead of
// hanging it.
#include <poll.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "http_client.hpp"
#include "running_server.hpp"
#include "server/server.hpp"

using namespace concur::server;
using concur::test::Client;
using concur::test::raw_exchange;
using concur::test::RawSocket;

namespace {

Settings load_settings() {
  return concur::test::quick_settings(17);
}

using concur::test::Running;

template <typename Predicate>
bool eventually(Predicate done) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

uint64_t metric(const std::string &text, const std::string &line_start) {
  const size_t at = text.find("\n" + line_start + " ");
  if (at == std::string::npos) return 0;
  return std::stoull(text.substr(at + line_start.size() + 2));
}

const std::string kHealth = "GET /health HTTP/1.1\r\nHost: t\r\n\r\n";

}  // namespace

TEST_CASE("/metrics counts requests by type and status", "[server][metrics]") {
  auto s = load_settings();
  s.failure_rate = 1;
  Running r(s);
  Client client;
  const Page &regular = r.first_of(PageType::regular);
  for (int i = 0; i < 3; ++i) REQUIRE(client.get(r.url("/api/" + regular.id)).status == 200);
  REQUIRE(client.get(r.url("/api/" + r.first_of(PageType::failure).id)).status == 500);
  REQUIRE(client.get(r.url("/api/" + r.first_of(PageType::cpu).id)).status == 200);
  REQUIRE(client.get(r.url("/api/zzzz")).status == 404);
  REQUIRE(client.get(r.url("/api/")).status == 200);
  REQUIRE(client.get(r.url("/api")).status == 200);
  REQUIRE(client.get(r.url("/health")).status == 200);
  REQUIRE(client.post(r.url("/health"), "x").status == 405);

  const auto reply = client.get(r.url("/metrics"));
  CHECK(reply.status == 200);
  CHECK(reply.header("Content-Type").rfind("text/plain; version=0.0.4", 0) == 0);
  const std::string &m = reply.body;
  CHECK(metric(m, "concur_requests_total{type=\"regular\",status=\"200\"}") == 3);
  CHECK(metric(m, "concur_requests_total{type=\"failure\",status=\"500\"}") == 1);
  CHECK(metric(m, "concur_requests_total{type=\"cpu\",status=\"200\"}") == 1);
  CHECK(metric(m, "concur_requests_total{type=\"other\",status=\"404\"}") == 1);
  CHECK(metric(m, "concur_requests_total{type=\"root\",status=\"200\"}") == 2);
  CHECK(metric(m, "concur_requests_total{type=\"other\",status=\"200\"}") == 1);
  CHECK(metric(m, "concur_requests_total{type=\"other\",status=\"405\"}") == 1);
  CHECK(metric(m, "concur_delay_error_ms_count") == 5);  // the five graph pages
  CHECK(metric(m, "concur_delay_error_ms_bucket{le=\"+Inf\"}") == 5);
  CHECK(metric(m, "concur_requests_in_flight") == 1);  // this scrape itself
  CHECK(metric(m, "concur_connections_open") == 1);    // curl kept one connection
  CHECK(metric(m, "concur_connections_accepted_total") == 1);
  CHECK(metric(m, "concur_graph_pages") == 100);
  CHECK(m.find("# TYPE concur_delay_error_ms histogram") != std::string::npos);
  // The scrape is counted once it has been answered.
  CHECK(metric(client.get(r.url("/metrics")).body,
               "concur_requests_total{type=\"other\",status=\"200\"}") == 2);

  const auto stats = nlohmann::json::parse(client.get(r.url("/graph/stats")).body);
  CHECK(stats["total_pages"] == 100);
  CHECK(stats["seed"] == 17);
  CHECK(stats["shares"]["regular"] == 0.6);
  CHECK(stats["puzzle"]["cpu_iterations"] == 50);
  CHECK(stats["build"]["puzzle_cache"] == "off");
}

TEST_CASE("malformed requests get their status while others are served", "[server][http]") {
  Running r(load_settings());
  const int port = r.server.port();
  auto bad = std::async(std::launch::async, [port] {
    return raw_exchange(port, std::string("\x16\x03\x01garbage\xff\r\n\r\n", 15));
  });
  auto huge = std::async(std::launch::async, [port] {
    return raw_exchange(port, "GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " +
                                  std::string(100 * 1024, 'a') + "\r\n\r\n");
  });
  auto brew = std::async(std::launch::async, [port] {
    return raw_exchange(port, "BREW /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  });
  Client client;
  for (int i = 0; i < 20; ++i) CHECK(client.get(r.url("/health")).status == 200);
  CHECK(bad.get().rfind("HTTP/1.1 400", 0) == 0);
  CHECK(huge.get().rfind("HTTP/1.1 431", 0) == 0);
  const std::string brewed = brew.get();
  CHECK(brewed.rfind("HTTP/1.1 405", 0) == 0);
  CHECK(brewed.find("Allow: GET, HEAD") != std::string::npos);
  CHECK(client.get(r.url("/health")).status == 200);
}

TEST_CASE("a client stalled halfway through a request delays nobody", "[server][http]") {
  Running r(load_settings());
  RawSocket stalled(r.server.port());
  stalled.send_all("GET /health HTTP/1.1\r\nHost: t\r\nX-Half: ");  // and then nothing
  REQUIRE(eventually([&] { return r.server.stats().open == 1; }));
  CHECK(Client().get(r.url("/health")).status == 200);
  CHECK(r.server.stats().open >= 1);  // the stalled one is still connected...
  CHECK(stalled.quiet_now());         // ...and has had no answer: it was not in the way
  stalled.send_all("x\r\n\r\n");      // once it finishes, it is served too
  CHECK(stalled.read_response().rfind("HTTP/1.1 200", 0) == 0);
}

TEST_CASE("a client that stops reading a large answer delays nobody", "[server][http]") {
  auto s = load_settings();
  s.pages = 1000;
  s.extra_edges = 2000;
  Running r(s);
  RawSocket reader(r.server.port());
  int small = 4096;
  setsockopt(reader.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  // Pipelined requests for the ~80 KB cheat sheet until the server stops
  // taking them: it is then stuck writing to us, and we never read.
  const std::string request = "GET /api/cheat/ HTTP/1.1\r\nHost: t\r\n\r\n";
  size_t sent = 0;
  for (int i = 0; i < 2000; ++i) {
    const ssize_t n =
        ::send(reader.fd(), request.data(), request.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < static_cast<ssize_t>(request.size())) break;
    ++sent;
  }
  CHECK(sent > 0);
  Client client;
  for (int i = 0; i < 10; ++i) CHECK(client.get(r.url("/health")).status == 200);
  CHECK(r.server.stats().open == 2);
}

TEST_CASE("idle connections are closed after idle_timeout_s", "[server][http]") {
  auto s = load_settings();
  s.idle_timeout_s = 0.2;
  Running r(s);
  RawSocket idle(r.server.port());
  idle.send_all(kHealth);
  CHECK(idle.read_response().rfind("HTTP/1.1 200", 0) == 0);
  CHECK(idle.closed_by_server());  // keep-alive, then nothing: closed
  RawSocket half(r.server.port());
  half.send_all("GET /health HTTP/1.1\r\n");
  CHECK(half.closed_by_server());
  CHECK(eventually([&] { return r.server.stats().timed_out == 2; }));
  CHECK(eventually([&] { return r.server.stats().open == 0; }));

  s.idle_timeout_s = 0;  // never: the same connection stays usable
  Running forever(s);
  Client client;
  CHECK(client.get(forever.url("/health")).new_connections == 1);
  CHECK(client.get(forever.url("/health")).new_connections == 0);
}

TEST_CASE("max_connections holds further clients in the backlog", "[server][http]") {
  auto s = load_settings();
  s.max_connections = 2;
  Running r(s);
  constexpr int kClients = 6;
  std::vector<std::unique_ptr<RawSocket>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawSocket>(r.server.port()));  // all sit in the backlog
    clients.back()->send_all(kHealth);  // keep-alive: a served client keeps its slot
  }
  // Serve them by closing whoever got an answer: each close frees one slot.
  int served = 0;
  while (served < kClients) {
    std::vector<pollfd> fds;
    for (const auto &c : clients) fds.push_back({c ? c->fd() : -1, POLLIN, 0});
    REQUIRE(::poll(fds.data(), fds.size(), 10000) > 0);
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      CHECK(clients[i]->read_response().rfind("HTTP/1.1 200", 0) == 0);
      if (served == 0) {  // both slots are held (we close nothing yet): the peak is reached
        CHECK(eventually([&] { return r.server.stats().open == 2; }));
      }
      clients[i].reset();
      ++served;
    }
  }
  const auto stats = r.server.stats();
  CHECK(stats.accepted == kClients);
  CHECK(stats.peak == 2);  // never more than max_connections
}

TEST_CASE("stop closes connections waiting out a delay", "[server][http]") {
  auto s = load_settings();
  s.delay_scale = 1;  // a delay page waits 5 s
  Running r(s);
  const std::string delayed = r.url("/api/" + r.first_of(PageType::delay).id);
  auto waiting = std::async(std::launch::async, [&] {
    try {
      return Client().get(delayed).status;
    } catch (const std::exception &) {
      return 0L;  // the connection was closed without an answer
    }
  });
  REQUIRE(eventually([&] { return r.server.stats().in_flight == 1; }));
  const auto before = std::chrono::steady_clock::now();
  r.server.stop();
  CHECK(waiting.get() == 0);
  CHECK(std::chrono::steady_clock::now() - before <
        std::chrono::seconds(4));  // not after the delay
}
