// The target of an experiment with a base_url waits for a server that says it
// is starting (503 with a Retry-After), printing its progress, and goes on
// once it serves: a run never measures a server that is not ready.
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <sstream>
#include <thread>

#include "config/experiment.hpp"
#include "experiment/target.hpp"
#include "server/graph.hpp"
#include "server/server.hpp"
#include "server/startup.hpp"

using namespace concur;

namespace {

server::Settings small_settings() {
  server::Settings s;
  s.seed = 3;
  s.pages = 50;
  s.extra_edges = 60;
  s.cpu_iterations = 50;
  s.core_iterations = 20;
  s.delay_scale = 0;
  return s;
}

// Polls `done` (a bounded wait for a condition, not a pause).
template <typename Done>
bool eventually(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace

TEST_CASE("a run against a starting server waits until it serves", "[experiment][target]") {
  const server::Settings settings = small_settings();
  auto startup = std::make_shared<server::Startup>();
  startup->making(8, 30);
  startup->made_one();
  server::Server srv(settings, startup);
  srv.start();
  const config::Experiment experiment =
      config::load_text("name: t\nserver: {base_url: \"" + srv.base_url() +
                            "\"}\ncrawl: {max_pages: 0}\nstrategies:\n  - plugin: sequential\n",
                        "t.yaml");

  std::ostringstream log;  // the target's thread writes it; read once that thread is done
  auto target = std::async(std::launch::async,
                           [&] { return std::make_unique<experiment::Target>(experiment, log); });
  // The server stays starting until the target has been told so at least once.
  REQUIRE(eventually([&] { return srv.stats().answered >= 1; }));
  srv.serve(std::make_shared<const server::Graph>(server::Graph::build(settings)));
  const auto ready = target.get();

  CHECK_THAT(log.str(), Catch::Contains(srv.base_url() + "/ is starting (1/8 puzzles made") &&
                            Catch::Contains("waiting for it"));
  CHECK(ready->settings().base_url == srv.base_url());
  CHECK(ready->seed() == settings.seed);  // read from the announcement, so after the wait
  REQUIRE(ready->settings().graph);       // /api/cheat/ answered too
  CHECK(ready->settings().graph->links.size() == static_cast<size_t>(settings.pages));
}

TEST_CASE("a starting server's body in words, whatever it holds", "[experiment][target]") {
  using experiment::describe_starting;
  CHECK(describe_starting(R"({"puzzles_made":84,"puzzles_total":200,"seconds_left":310.5})", 311) ==
        "84/200 puzzles made, about 5 min left");
  CHECK(describe_starting(R"({"puzzles_made":0,"puzzles_total":0})", 1) ==
        "it asks to retry after 1 s");
  // Not ours, or not JSON, or fields of the wrong type: the Retry-After alone.
  CHECK(describe_starting("<html>busy</html>", 30) == "it asks to retry after 30 s");
  CHECK(describe_starting(R"({"puzzles_made":"many","puzzles_total":-3})", 5) ==
        "it asks to retry after 5 s");
  CHECK(describe_starting(R"({"puzzles_made":1,"puzzles_total":2,"seconds_left":"soon"})", 5) ==
        "1/2 puzzles made");
  CHECK(describe_starting(R"({"puzzles_made":1,"puzzles_total":2,"seconds_left":1e300})", 5) ==
        "1/2 puzzles made");
}
