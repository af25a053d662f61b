// A real crawl of the real demo server over loopback, by a real plugin,
// compared with what the graph says it must reach.
#include <catch2/catch.hpp>

#include <memory>

#include "config/options.hpp"
#include "crawl/policy.hpp"
#include "experiment/measure.hpp"
#include "support/lab.hpp"
#include "support/reference_crawl.hpp"

using namespace concur;

namespace {

using test::Lab;
using test::small_lab;

experiment::PlannedRun planned(const std::string &file, config::OptionSet options = {}) {
  return {plugin::Plugin::load(file), std::move(options)};
}

const std::string kSequential = CONCUR_BUILD_DIR "/plugins/sequential.so";

}  // namespace

TEST_CASE("every request and solve is on the run's timeline", "[e2e]") {
  Lab lab(small_lab(21));
  auto r = experiment::run_once(planned(kSequential), lab.crawl(0, 50), &lab.server);
  long requests = 0, solves = 0;
  double previous_end = 0;
  for (const auto &e : r.events) {
    CHECK(e.worker == 0);
    CHECK(e.start_s <= e.end_s);
    CHECK(e.start_s >= previous_end);  // one worker: spans never overlap
    previous_end = e.end_s;
    (e.kind == results::Event::Kind::request ? requests : solves)++;
  }
  CHECK(requests == r.requests);
  CHECK(solves == r.solves);
}

TEST_CASE("max_pages stops a sequential crawl at the breadth-first prefix", "[e2e]") {
  Lab lab(small_lab(5));
  auto expected = test::reference_crawl(*lab.graph, lab.graph->first(), 40, 50);
  auto r = experiment::run_once(planned(kSequential), lab.crawl(40, 50), &lab.server);
  CHECK(r.pages_ok + r.pages_failed == 40);
  CHECK(r.page_ids() == expected.ok);
}

TEST_CASE("a plugin that leaves work behind fails its run, and nothing leaks", "[e2e]") {
  Lab lab(small_lab(11));
  auto r = experiment::run_once(planned(CONCUR_FIXTURE_DIR "/fixture_leaky.so"), lab.crawl(0, 50),
                                &lab.server);
  CHECK(r.status == results::RunStatus::failed);
  CHECK_THAT(r.error, Catch::Contains("1 task(s) never completed") &&
                          Catch::Contains("1 worker(s) never closed"));
}

TEST_CASE("a plugin that leaves a loop open fails its run, and nothing leaks", "[e2e]") {
  Lab lab(small_lab(11));
  auto r = experiment::run_once(planned(CONCUR_FIXTURE_DIR "/fixture_loop_leaky.so"),
                                lab.crawl(0, 50), &lab.server);
  CHECK(r.status == results::RunStatus::failed);
  CHECK_THAT(r.error, Catch::Contains("1 loop(s) never closed, 1 task(s) never completed, "
                                      "1 worker(s) never closed"));
}

TEST_CASE("completing a task whose fetch is in flight is refused, and nothing leaks", "[e2e]") {
  Lab lab(small_lab(11));
  auto r = experiment::run_once(planned(CONCUR_FIXTURE_DIR "/fixture_early_complete.so"),
                                lab.crawl(0, 50), &lab.server);
  CHECK(r.status == results::RunStatus::failed);
  CHECK_THAT(r.error, Catch::Contains("completed a task whose fetch is in flight"));
  CHECK(r.pages_failed == 1);  // the second complete(), after the loop cancelled the fetch
}

TEST_CASE("option values reach the plugin, and its failure is reported", "[e2e]") {
  Lab lab(small_lab(13));
  auto plugin = plugin::Plugin::load(CONCUR_FIXTURE_DIR "/fixture_options.so");
  config::StrategySpec spec;
  spec.plugin = "fixture";
  spec.key = "strategies[0]";
  spec.options = {{"count", {}, {{"7", {}}, {"13", {}}}}, {"mode", {}, {{"b", {}}}}};
  auto sets = config::expand_options(spec, plugin->options());
  REQUIRE(sets.size() == 2);

  auto ok = experiment::run_once({plugin, sets[0]}, lab.crawl(5, 50), &lab.server);
  CHECK(ok.status == results::RunStatus::ok);
  CHECK(ok.metrics.at("count") == 7);
  CHECK(ok.metrics.at("ratio") == 0.5);  // the declared default
  CHECK(ok.metrics.at("flag") == 0);
  CHECK(ok.metrics.at("mode_is_b") == 1);
  CHECK(ok.options == "count=7 ratio=0.5 flag=false mode=b");

  auto failed = experiment::run_once({plugin, sets[1]}, lab.crawl(5, 50), &lab.server);
  CHECK(failed.status == results::RunStatus::failed);
  CHECK_THAT(failed.error, Catch::Contains("count 13 is unlucky"));
}

TEST_CASE("a plugin built against the header before minor versions crawls as before",
          "[e2e][abi]") {
  Lab lab(small_lab(19));
  auto expected = test::reference_crawl(*lab.graph, lab.graph->first(), 0, 50);
  auto plugin = plugin::Plugin::load(CONCUR_FIXTURE_DIR "/fixture_old_header.so");
  config::StrategySpec spec;
  spec.plugin = "fixture";
  spec.key = "strategies[0]";
  auto sets = config::expand_options(spec, plugin->options());
  REQUIRE(sets.size() == 1);
  auto r = experiment::run_once({plugin, sets[0]}, lab.crawl(0, 50), &lab.server);
  INFO(r.error);
  CHECK(r.status == results::RunStatus::ok);
  CHECK(r.page_ids() == expected.ok);
  CHECK(r.pages_failed == expected.failed);
  CHECK(r.solves > 0);
  // Its own offsetof check found solve_tasks (1.1) in this host's table.
  CHECK(r.metrics.at("lanes_used") == 1);
}

TEST_CASE("a server that is gone fails pages, not the process", "[e2e]") {
  Lab lab(small_lab(17));
  auto settings = lab.crawl(0, 2);
  lab.server.stop();
  auto r = experiment::run_once(planned(kSequential), settings, nullptr);
  CHECK(r.status == results::RunStatus::failed);
  CHECK_THAT(r.error, Catch::Contains("unreachable") && Catch::Contains(settings.base_url));
  CHECK(r.pages_ok == 0);
  CHECK(r.pages_failed == 1);  // the start page, after 1 + 2 attempts
  // Refused connects are counted apart: no request was sent, and their
  // microseconds are no answer's latency.
  CHECK(r.connect_failures == 3);
  CHECK(r.requests == 0);
  CHECK(r.latency_ms.max == 0);
  // ... and retried after a wait that doubles from 10 ms, not at once.
  REQUIRE(r.events.size() == 3);
  CHECK(r.events[1].start_s - r.events[0].end_s >= 0.010);
  CHECK(r.events[2].start_s - r.events[1].end_s >= 0.020);
}

TEST_CASE("refused connects give up after kConnectRetries in a row, whatever retries says",
          "[e2e][policy]") {
  Lab lab(small_lab(19));
  auto settings = lab.crawl(0, 1000);
  lab.server.stop();
  auto r = experiment::run_once(planned(kSequential), settings, nullptr);
  CHECK(r.status == results::RunStatus::failed);
  CHECK(r.connect_failures == 1 + crawl::kConnectRetries);
}

TEST_CASE("a 404 is never retried, whatever the policy", "[e2e][policy]") {
  Lab lab(small_lab(23));
  const std::string missing = "ffff";
  REQUIRE_FALSE(lab.graph->find(missing).has_value());
  auto settings = lab.crawl(0, 5);
  settings.start_id = missing;
  settings.policy.retry_on.client_errors = true;  // "retry 4xx" still spares a 404
  settings.policy.hedge = 4;
  auto r = experiment::run_once(planned(kSequential), settings, &lab.server);
  CHECK(r.pages_ok == 0);
  CHECK(r.pages_failed == 1);
  CHECK(r.requests == 1);
  CHECK(r.retries_used == 0);
  CHECK(r.give_ups == 1);
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].status == 404);
}
