// The README's main job, checked against the truth: a sequential crawl of
// configs/quickstart.yaml reaches exactly the pages its graph says it must.
#include <catch2/catch.hpp>
#include <sstream>

#include "config/experiment.hpp"
#include "experiment/measure.hpp"
#include "experiment/target.hpp"
#include "server/server.hpp"
#include "support/reference_crawl.hpp"

using namespace concur;

TEST_CASE("quickstart's sequential crawl reaches exactly the reachable pages", "[e2e][slow]") {
  const auto experiment = config::load_file(CONCUR_SOURCE_DIR "/configs/quickstart.yaml");
  REQUIRE(experiment.strategies.at(0).plugin == "sequential");
  // The run's own target: the embedded server and the settings `concur run`
  // derives (the start page, retries: auto computed from the failure rate).
  std::ostringstream log;
  experiment::Target target(experiment, log);
  const crawl::CrawlSettings &settings = target.settings();
  REQUIRE(settings.retries >= 100);  // auto: 100 failure pages at 0.9 need 109
  const auto graph = server::Graph::build(experiment.server);  // the same seed, the same graph
  REQUIRE(settings.start_id == graph.page(graph.first()).id);

  auto expected = test::reference_crawl(graph, graph.first(), settings.max_pages, settings.retries);
  experiment::PlannedRun sequential{plugin::Plugin::load(CONCUR_BUILD_DIR "/plugins/sequential.so"),
                                    {}};
  auto r = experiment::run_once(sequential, settings, target.embedded());
  INFO(r.error);
  CHECK(r.status == results::RunStatus::ok);
  CHECK(r.page_ids() == expected.ok);
  CHECK(r.pages_failed == expected.failed);
  CHECK(r.requests == expected.requests);
}
