// The `puzzles` task generator: its tasks are exactly the puzzles a crawl of
// the same server fetches (checked against a real server over loopback), and
// the answer check catches a wrong result.
#include <catch2/catch.hpp>

#include <memory>

#include "config/experiment.hpp"
#include "crawl/page.hpp"
#include "experiment/compute_plan.hpp"
#include "hash/md5_chain.hpp"
#include "http/client.hpp"
#include "server/graph.hpp"
#include "server/server.hpp"

using namespace concur;

namespace {

server::Settings small_graph(server::Profile profile) {
  server::Settings s = server::profile_settings(profile);
  s.seed = 11;
  s.pages = 80;
  s.cpu_iterations = 3000;
  s.core_iterations = 1000;
  s.delay_scale = 0;
  return s;
}

config::ComputeWorkload puzzles(int count, std::vector<std::string> types = {}) {
  config::ComputeTaskSpec task;
  task.kernel = config::kPuzzlesKernel;
  task.count = count;
  task.types = std::move(types);
  return {"", {task}};
}

std::vector<std::string> solve(const compute::ComputeItem &item) {
  std::vector<std::string> results;
  for (const auto &unit : item.chains)
    results.push_back(hash::chain(unit.seed, unit.iterations, item.rule));
  return results;
}

}  // namespace

TEST_CASE("puzzles tasks are the chains a crawl fetches, and solve to the page's links",
          "[crawl][compute]") {
  const auto profile = GENERATE(server::Profile::course, server::Profile::original);
  const server::Settings settings = small_graph(profile);
  auto graph = std::make_shared<const server::Graph>(server::Graph::build(settings));
  const auto types = graph->type_counts();
  const int puzzle_pages =
      types[size_t(server::PageType::cpu)] + types[size_t(server::PageType::core)];
  REQUIRE(puzzle_pages > 4);
  server::Server server(graph);
  server.start();
  http::Client client(5000);
  const crawl::PuzzleParams params{settings.hash_rule, settings.cpu_iterations,
                                   settings.core_iterations, settings.id_length};

  const auto items = experiment::compute_items(puzzles(puzzle_pages), graph.get());
  REQUIRE(items->size() == size_t(puzzle_pages));
  for (const auto &item : *items) {
    INFO("page " << item.page);
    const http::Response r = client.get(server.base_url() + "/api/" + item.page);
    REQUIRE(r.status == 200);
    const crawl::PageContent page = crawl::parse_page(r.body, params);
    CHECK(item.label == page.page_type);
    REQUIRE(item.chains.size() == page.work.size());
    for (size_t u = 0; u < page.work.size(); ++u) {
      CHECK(item.chains[u].seed == page.work[u].seed);
      CHECK(item.chains[u].iterations == page.work[u].iterations);
    }
    const auto results = solve(item);
    CHECK(compute::check_answers(item, results).empty());
    // What a crawl follows from the same results: the same ids.
    CHECK(crawl::puzzle_answers(page, results, settings.id_length) == item.answers);
  }
  server.stop();
}

TEST_CASE("a wrong chain result is caught by the answer check", "[crawl][compute]") {
  auto graph = std::make_shared<const server::Graph>(
      server::Graph::build(small_graph(server::Profile::course)));
  const auto items = experiment::compute_items(puzzles(2, {"core"}), graph.get());
  REQUIRE(items->size() == 2);
  const auto &item = items->front();
  CHECK(item.label == "core");
  auto results = solve(item);
  REQUIRE(compute::check_answers(item, results).empty());
  results.back()[0] = results.back()[0] == 'f' ? '0' : 'f';  // the id's last character
  CHECK_THAT(compute::check_answers(item, results),
             Catch::Contains("but page " + item.page + " links to " + item.answers[0]));
}

TEST_CASE("asking for more puzzle pages than the graph has is a config error", "[crawl][compute]") {
  auto graph = std::make_shared<const server::Graph>(
      server::Graph::build(small_graph(server::Profile::course)));
  const int cpu = graph->type_counts()[size_t(server::PageType::cpu)];
  CHECK(experiment::compute_items(puzzles(cpu, {"cpu"}), graph.get())->size() == size_t(cpu));
  CHECK_THROWS_WITH(experiment::compute_items(puzzles(cpu + 1, {"cpu"}), graph.get()),
                    Catch::Contains("compute.tasks[0].count") &&
                        Catch::Contains("has " + std::to_string(cpu) + " cpu pages, not " +
                                        std::to_string(cpu + 1)));
}
