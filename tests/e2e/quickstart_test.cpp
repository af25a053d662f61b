// The README's main job, checked against the truth: a sequential crawl of
// configs/quickstart.yaml reaches exactly the pages its graph says it must.
#include <catch2/catch.hpp>

#include "config/experiment.hpp"
#include "experiment/measure.hpp"
#include "server/server.hpp"
#include "support/reference_crawl.hpp"

using namespace concur;

TEST_CASE("quickstart's sequential crawl reaches exactly the reachable pages", "[e2e][slow]") {
  const auto experiment = config::load_file(CONCUR_SOURCE_DIR "/configs/quickstart.yaml");
  REQUIRE(experiment.strategies.at(0).plugin == "sequential");
  auto graph = std::make_shared<const server::Graph>(server::Graph::build(experiment.server));
  server::Server server(graph);
  server.start();

  crawl::CrawlSettings settings;
  settings.base_url = server.base_url();
  settings.start_id = graph->page(graph->first()).id;  // where start: root leads
  settings.max_pages = experiment.crawl.max_pages;
  settings.retries = experiment.crawl.retries;
  settings.timeout_ms = experiment.crawl.timeout_ms;
  const auto &s = experiment.server;
  settings.puzzle = {s.hash_rule, s.cpu_iterations, s.core_iterations, s.id_length};

  auto expected =
      test::reference_crawl(*graph, graph->first(), settings.max_pages, settings.retries);
  experiment::PlannedRun sequential{plugin::Plugin::load(CONCUR_BUILD_DIR "/plugins/sequential.so"),
                                    {}};
  auto r = experiment::run_once(sequential, settings, &server);
  INFO(r.error);
  CHECK(r.status == results::RunStatus::ok);
  CHECK(r.pages == expected.ok);
  CHECK(r.pages_failed == expected.failed);
  CHECK(r.requests == expected.requests);
}
