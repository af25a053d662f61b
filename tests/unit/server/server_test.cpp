#include <time.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "http_client.hpp"
#include "running_server.hpp"
#include "server/server.hpp"

using namespace concur::server;
using concur::test::Client;
using concur::test::raw_exchange;
using Json = nlohmann::json;

namespace {

Settings test_settings() {
  return concur::test::quick_settings(99);
}

using concur::test::Running;

std::string id_of(const std::string &location) {
  return location.substr(5);
}

}  // namespace

TEST_CASE("index, root page and health", "[server][http]") {
  Running r(test_settings());
  Client client;
  const std::string first = r.graph->page(0).id;

  const auto index = client.get(r.url("/"));
  CHECK(index.status == 200);
  CHECK(index.header("Content-Type") == "application/json");
  const Json body = Json::parse(index.body);
  CHECK(body["name"] == "Web Graph Server");
  CHECK(body["total_pages"] == 100);
  CHECK(body["links"] == Json::array({"/api/" + first}));
  CHECK(body["puzzle"]["hash_rule"] == "indexed");
  CHECK(body["puzzle"]["cpu_iterations"] == 50);
  CHECK(body["puzzle"]["core_iterations"] == 20);
  CHECK(body["puzzle"]["id_length"] == 4);
  CHECK(body["seed"] == 99);

  for (const char *path : {"/api", "/api/"}) {
    const auto root = client.get(r.url(path));
    CHECK(root.status == 200);
    const Json page = Json::parse(root.body);
    CHECK(page["page_id"] == "root");
    CHECK(page["page_type"] == "root");
    CHECK(page["links"] == Json::array({first}));
    CHECK(page["link_count"] == 1);
    CHECK(page["total_pages_in_graph"] == 100);
    CHECK(page["page_type_distribution"] ==
          Json{{"regular", 60}, {"delay", 10}, {"failure", 10}, {"cpu", 10}, {"core", 10}});
    CHECK(page["requested_at"].get<double>() > 1.6e9);
    CHECK(page["url"] == "/api/");
  }
  const auto health = client.get(r.url("/health"));
  CHECK(health.status == 200);
  CHECK(Json::parse(health.body) == Json{{"status", "ok"}, {"total_pages", 100}});
}

TEST_CASE("pages of every type answer as the protocol says", "[server][http]") {
  auto s = test_settings();
  s.failure_rate = 0;  // the failure page answers like a regular one here
  Running r(s);
  Client client;
  for (auto type : {PageType::regular, PageType::delay, PageType::failure}) {
    const Page &p = r.first_of(type);
    const auto reply = client.get(r.url("/api/" + p.id));
    REQUIRE(reply.status == 200);
    const Json body = Json::parse(reply.body);
    CHECK(body["page_id"] == p.id);
    CHECK(body["page_type"] == page_type_name(type));
    Json links = Json::array();
    for (uint32_t to : p.links) links.push_back("/api/" + r.graph->page(to).id);
    CHECK(body["links"] == links);
    CHECK(body["link_count"] == p.links.size());
    CHECK(body["url"] == "/api/" + p.id);
    CHECK(body["delay_ms"] == 0);
    CHECK(body["generated_at"].get<double>() >= body["requested_at"].get<double>());
  }
  const Page &cpu = r.first_of(PageType::cpu);
  const Json cpu_body = Json::parse(client.get(r.url("/api/" + cpu.id)).body);
  CHECK(cpu_body["hashseed"] == cpu.seeds.at(0));
  CHECK_FALSE(cpu_body.contains("links"));
  const Page &core = r.first_of(PageType::core);
  const Json core_body = Json::parse(client.get(r.url("/api/" + core.id)).body);
  CHECK(
      core_body["hashseed"] ==
      Json{{"1", core.seeds[0]}, {"2", core.seeds[1]}, {"3", core.seeds[2]}, {"4", core.seeds[3]}});
  CHECK_FALSE(core_body.contains("links"));
}

TEST_CASE("link formats id and url", "[server][http]") {
  for (auto format : {LinkFormat::id, LinkFormat::url}) {
    auto s = test_settings();
    s.link_format = format;
    Running r(s);
    const Page &p = r.first_of(PageType::regular);
    const Json body = Json::parse(Client().get(r.url("/api/" + p.id)).body);
    const std::string to = r.graph->page(p.links.at(0)).id;
    CHECK(body["links"][0] == (format == LinkFormat::id ? to : r.url("/api/" + to)));
  }
}

TEST_CASE("not found, method not allowed, HEAD", "[server][http]") {
  Running r(test_settings());
  Client client;
  const auto missing = client.get(r.url("/api/zzzz"));
  CHECK(missing.status == 404);
  CHECK(Json::parse(missing.body) == Json{{"error", "Page zzzz not found"}});
  const auto unknown = client.get(r.url("/no/such/path"));
  CHECK(unknown.status == 404);
  CHECK(Json::parse(unknown.body).contains("error"));

  const auto post = client.post(r.url("/health"), "x=1");
  CHECK(post.status == 405);
  CHECK(post.header("Allow") == "GET, HEAD");
  CHECK(Json::parse(post.body).contains("error"));

  const auto head = client.head(r.url("/health"));
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  // curl skips a HEAD body even if one came: look at the bytes themselves.
  const std::string raw = raw_exchange(
      r.server.port(), "HEAD /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  REQUIRE(raw.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(raw.size() == raw.find("\r\n\r\n") + 4);
  CHECK(raw.find("Content-Length: 0") == std::string::npos);
}

TEST_CASE("redirects, samples and the cheat sheet", "[server][http]") {
  Running r(test_settings());
  Client client;
  const auto random = client.get(r.url("/graph/random"));
  CHECK(random.status == 307);
  CHECK(random.body.empty());
  REQUIRE(random.header("Location").rfind("/api/", 0) == 0);
  CHECK(r.graph->find(id_of(random.header("Location"))));

  for (auto type : {PageType::regular, PageType::cpu, PageType::core}) {
    const auto reply = client.get(r.url(std::string("/api/test/") + page_type_name(type)));
    CHECK(reply.status == 307);
    const auto index = r.graph->find(id_of(reply.header("Location")));
    REQUIRE(index);
    CHECK(r.graph->page(*index).type == type);
  }
  CHECK(client.get(r.url("/api/test/banana")).status == 404);

  const Json sample = Json::parse(client.get(r.url("/graph/sample")).body);
  const auto ids = sample["page_ids"].get<std::vector<std::string>>();
  CHECK(ids.size() == 20);
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == 20);
  for (const auto &id : ids) CHECK(r.graph->find(id));
  CHECK(Json::parse(client.get(r.url("/graph/sample?size=5")).body)["page_ids"].size() == 5);
  CHECK(Json::parse(client.get(r.url("/graph/sample?size=5000")).body)["page_ids"].size() == 100);
  CHECK(client.get(r.url("/graph/sample?size=abc")).status == 400);

  const Json cheat = Json::parse(client.get(r.url("/api/cheat/")).body);
  REQUIRE(cheat.size() == 100);
  for (const Page &p : r.graph->pages()) {
    std::vector<std::string> links;
    for (uint32_t to : p.links) links.push_back(r.graph->page(to).id);
    CHECK(cheat[p.id]["page_type"] == page_type_name(p.type));
    CHECK(cheat[p.id]["links"] == links);
  }
}

TEST_CASE("keep-alive reuses one connection; Connection: close is honoured", "[server][http]") {
  Running r(test_settings());
  Client client;
  CHECK(client.get(r.url("/health")).new_connections == 1);
  CHECK(client.get(r.url("/api/")).new_connections == 0);
  CHECK(client.head(r.url("/health")).new_connections == 0);
  CHECK(client.get(r.url("/health")).new_connections == 0);
  const auto closing = client.get(r.url("/health"), {"Connection: close"});
  CHECK(closing.status == 200);
  CHECK(closing.header("Connection") == "close");
  CHECK(client.get(r.url("/health")).new_connections == 1);
}

TEST_CASE("a page's delay is honoured", "[server][http]") {
  auto s = test_settings();
  s.delay_scale = 0.4;  // regular: 500 ms x 0.4
  Running r(s);
  const Page &p = r.first_of(PageType::regular);
  const auto started = std::chrono::steady_clock::now();
  const auto reply = Client().get(r.url("/api/" + p.id));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  CHECK(reply.status == 200);
  CHECK(elapsed >= std::chrono::milliseconds(200));
  CHECK(Json::parse(reply.body)["delay_ms"] == 200);
}

TEST_CASE("failure outcomes follow the oracle and repeat after a reset", "[server][http]") {
  auto s = test_settings();
  s.failure_rate = 0.5;
  Running r(s);
  Client client;
  const Page &p = r.first_of(PageType::failure);
  std::vector<long> first_round;
  for (int round = 0; round < 2; ++round) {
    std::vector<long> statuses;
    for (uint64_t k = 1; k <= 20; ++k) {
      const auto reply = client.get(r.url("/api/" + p.id));
      const bool fails = failure_request_fails(s, p.id, k);
      CHECK(reply.status == (fails ? 500 : 200));
      if (fails)
        CHECK(Json::parse(reply.body)["error"] ==
              "Failure page " + p.id + " failed (simulated error)");
      statuses.push_back(reply.status);
    }
    if (round == 0)
      first_round = statuses;
    else
      CHECK(statuses == first_round);
    r.server.reset_request_counts();
  }
  CHECK(std::set<long>(first_round.begin(), first_round.end()).size() == 2);
}

TEST_CASE("a path or method that is not UTF-8 gets its error answer, quoted safely",
          "[server][http]") {
  // Found by fuzz_http_request: the error's JSON threw on invalid UTF-8, the
  // exception left the handler, and the connection was lost unanswered.
  Running r(test_settings());
  const int port = r.server.port();
  const std::string page =
      raw_exchange(port, "GET /api/\xff\xfe HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  CHECK(page.rfind("HTTP/1.1 404", 0) == 0);
  CHECK(page.find("\xef\xbf\xbd") != std::string::npos);  // U+FFFD in place of the bytes
  const std::string path =
      raw_exchange(port, "GET /nowhere\xc3 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  CHECK(path.rfind("HTTP/1.1 404", 0) == 0);
  const std::string method =
      raw_exchange(port, "P\xd4ST /api/ HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  CHECK(method.rfind("HTTP/1.1 ", 0) == 0);
  CHECK(Client().get(r.url("/health")).status == 200);
}

TEST_CASE("malformed and oversized requests", "[server][http]") {
  Running r(test_settings());
  const int port = r.server.port();
  const std::string bad = raw_exchange(port, "GARBAGE\r\n\r\n");
  CHECK(bad.rfind("HTTP/1.1 400", 0) == 0);  // and the server closed: raw_exchange returned
  CHECK(bad.find("Connection: close") != std::string::npos);

  const std::string big_header = raw_exchange(
      port, "GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(10000, 'a') + "\r\n\r\n");
  CHECK(big_header.rfind("HTTP/1.1 431", 0) == 0);
  const std::string long_line =
      raw_exchange(port, "GET /" + std::string(10000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n");
  CHECK(long_line.rfind("HTTP/1.1 414", 0) == 0);
  // The server still serves after all that.
  CHECK(Client().get(r.url("/health")).status == 200);
}

TEST_CASE("thread usage, restart, busy port", "[server][http]") {
  Running r(test_settings());
  const auto before = r.server.thread_usage();
  CHECK(before.user_s >= 0);
  CHECK(before.sys_s >= 0);
  Client client;
  auto used = [](Server::Usage u) { return u.user_s + u.sys_s; };
  bool grew = false;
  for (int i = 0; i < 50000 && !grew; ++i) {
    client.get(r.url("/api/cheat/"));
    if (i % 50 == 49) grew = used(r.server.thread_usage()) > used(before);
  }
  CHECK(grew);
  // The thread's run time as the process's CPU clock counts it: some, and
  // never more than the whole process's.
  const double runtime = r.server.thread_runtime_s();
  timespec process{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &process);
  CHECK(runtime > 0);
  CHECK(runtime <= static_cast<double>(process.tv_sec) + process.tv_nsec / 1e9);

  Settings busy = test_settings();
  busy.port = r.server.port();
  Server second(std::make_shared<const Graph>(Graph::build(busy)));
  CHECK_THROWS_WITH(second.start(), Catch::Contains("127.0.0.1:" + std::to_string(busy.port)) &&
                                        Catch::Contains("in use"));

  r.server.stop();
  r.server.stop();
  const double after_stop = used(r.server.thread_usage());
  CHECK(after_stop >= used(before));
  CHECK(r.server.thread_runtime_s() >= runtime);  // an ended thread's time is kept
  r.server.start();
  CHECK(Client().get(r.url("/health")).status == 200);
  r.server.stop();
  r.server.start();
  r.server.stop();
}
