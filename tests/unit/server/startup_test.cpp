// A server that listens before its graph exists (`concur serve`): every route
// answers 503 with a Retry-After and the progress until serve() hands it the
// graph, then it answers as ever, the 503s counted in /metrics.
#include <catch2/catch.hpp>

#include <memory>
#include <nlohmann/json.hpp>

#include "http_client.hpp"
#include "running_server.hpp"
#include "server/server.hpp"
#include "server/startup.hpp"

using namespace concur::server;
using concur::test::Client;
using Json = nlohmann::json;

TEST_CASE("a starting server answers 503, Retry-After and its progress on every route",
          "[server][http][startup]") {
  const Settings settings = concur::test::quick_settings(5);
  auto startup = std::make_shared<Startup>();
  Server server(settings, startup);
  server.start();
  CHECK_FALSE(server.ready());
  Client client;
  const std::string base = server.base_url();

  // Still building the graph: nothing to make yet.
  auto early = client.get(base + "/health");
  CHECK(early.status == 503);
  CHECK(std::stol(early.header("Retry-After")) >= 1);
  CHECK(Json::parse(early.body)["status"] == "starting");
  CHECK(Json::parse(early.body)["puzzles_total"] == 0);

  // A day's worth of puzzles, 3 of 10 made.
  startup->making(10, 86400);
  for (int i = 0; i < 3; ++i) startup->made_one();
  for (const char *path : {"/health", "/", "/api/", "/api/abcd", "/metrics", "/nowhere"}) {
    INFO(path);
    const auto r = client.get(base + path);
    CHECK(r.status == 503);
    CHECK(r.header("Content-Type") == "application/json");
    CHECK(std::stol(r.header("Retry-After")) >= 1);
    const Json body = Json::parse(r.body);
    CHECK(body["status"] == "starting");
    CHECK(body["progress"] == Approx(0.3));
    CHECK(body["puzzles_made"] == 3);
    CHECK(body["puzzles_total"] == 10);
    CHECK(body["seconds_left"].is_number());  // from the pace of the three made at once
    CHECK_THAT(body["error"].get<std::string>(), Catch::Contains("3/10"));
  }
  const auto head = client.head(base + "/health");
  CHECK(head.status == 503);
  CHECK_FALSE(head.header("Retry-After").empty());

  server.serve(std::make_shared<const Graph>(Graph::build(settings)));
  CHECK(server.ready());
  const auto health = client.get(base + "/health");
  CHECK(health.status == 200);
  CHECK(health.header("Retry-After").empty());
  CHECK(Json::parse(health.body)["status"] == "ok");
  CHECK(client.get(base + "/").status == 200);
  // What was answered while starting stays counted.
  const auto metrics = client.get(base + "/metrics");
  CHECK(metrics.status == 200);
  CHECK_THAT(metrics.body, Catch::Contains("status=\"503\""));
  server.stop();
}

TEST_CASE("serve() before start(): the server is ready from its first request",
          "[server][http][startup]") {
  const Settings settings = concur::test::quick_settings(6);
  Server server(settings, std::make_shared<Startup>());
  server.serve(std::make_shared<const Graph>(Graph::build(settings)));
  server.start();
  Client client;
  CHECK(client.get(server.base_url() + "/health").status == 200);
  const auto index = Json::parse(client.get(server.base_url() + "/").body);
  CHECK(index["total_pages"] == settings.pages);
}

TEST_CASE("Retry-After follows the progress: the estimate first, then the pace",
          "[server][startup]") {
  Startup startup;
  CHECK(retry_after_s(startup.snapshot()) == 1);  // nothing known: ask again soon
  startup.making(4, 3600);
  const auto before = startup.snapshot();
  CHECK(before.total == 4);
  CHECK(before.seconds_left > 3000);  // the estimate, less the little time gone
  CHECK(retry_after_s(before) > 3000);
  for (int i = 0; i < 4; ++i) startup.made_one();
  const auto done = startup.snapshot();
  CHECK(done.fraction == 1);
  CHECK(done.seconds_left == 0);
  CHECK(retry_after_s(done) == 1);
  startup.add_total(1);  // a redraw
  CHECK(startup.snapshot().total == 5);
}
