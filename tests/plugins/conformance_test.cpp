// What every strategy plugin must do, whatever its model. ctest runs this
// binary once per plugin, naming it in CONCUR_CONFORMANCE_PLUGIN; each plugin
// runs with its declared default options, changed by CONCUR_CONFORMANCE_OPTIONS
// ("key=value,key=value") where one plugin has several modes to hold to it.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <future>
#include <set>
#include <sstream>

#include "support/lab.hpp"
#include "support/reference_crawl.hpp"

using namespace concur;
using test::Lab;

namespace {

std::string plugin_name() {
  const char *name = std::getenv("CONCUR_CONFORMANCE_PLUGIN");
  return name ? name : "sequential";
}

std::vector<std::pair<std::string, std::string>> plugin_options() {
  std::vector<std::pair<std::string, std::string>> options;
  const char *env = std::getenv("CONCUR_CONFORMANCE_OPTIONS");
  std::stringstream list(env ? env : "");
  for (std::string item; std::getline(list, item, ',');) {
    const auto eq = item.find('=');
    if (eq != std::string::npos) options.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  return options;
}

crawl::PlannedRun strategy() {
  return test::built_plugin(plugin_name(), plugin_options());
}

results::RunResult crawl_once(const Lab &lab, const crawl::CrawlSettings &settings) {
  auto r = crawl::run_once(strategy(), settings, const_cast<server::Server *>(&lab.server));
  UNSCOPED_INFO(plugin_name() << ": status " << r.status << " " << r.error);
  return r;
}

}  // namespace

TEST_CASE("a whole-graph crawl reaches exactly the reachable pages", "[conformance]") {
  for (uint64_t seed : {1u, 42u}) {
    Lab lab(test::small_lab(seed));
    auto expected = test::reference_crawl(*lab.graph, lab.graph->first(), 0, 50);
    auto r = crawl_once(lab, lab.crawl(0, 50));
    CHECK(r.status == "ok");
    CHECK(r.pages == expected.ok);
    CHECK(r.pages_failed == expected.failed);
    CHECK(r.requests == expected.requests);
    CHECK(r.solves > 0);
    CHECK(r.lower_bound_s() > 0);
    CHECK(r.efficiency() <= 1.0);  // nothing beats the bound
  }
}

TEST_CASE("max_pages is respected exactly", "[conformance]") {
  Lab lab(test::small_lab(5));
  const int limit = 37;
  auto r = crawl_once(lab, lab.crawl(limit, 50));
  CHECK(r.status == "ok");
  CHECK(r.pages_ok + r.pages_failed == limit);
  CHECK(static_cast<long>(r.pages.size()) == r.pages_ok);  // reported == kept
  std::set<std::string> requested;
  for (const auto &e : r.events)
    if (e.kind == results::Event::Kind::request) requested.insert(e.page);
  CHECK(requested.size() == static_cast<size_t>(limit));  // nothing fetched beyond the limit
}

TEST_CASE("failure pages are retried per policy and counted", "[conformance]") {
  Lab lab(test::small_lab(3));
  auto expected = test::reference_crawl(*lab.graph, lab.graph->first(), 0, 2);
  REQUIRE(expected.failed > 0);  // this seed makes some failure page give up after 3 tries
  auto r = crawl_once(lab, lab.crawl(0, 2));
  CHECK(r.pages == expected.ok);
  CHECK(r.pages_failed == expected.failed);
  CHECK(r.requests == expected.requests);
  CHECK(r.retries_used == expected.requests - static_cast<long>(expected.taken.size()));
}

TEST_CASE("timeouts cut delay pages off", "[conformance]") {
  auto settings = test::small_lab(8, 80);
  settings.delay_scale = 1;
  settings.delays_ms = {2, 1500, 2, 1, 1};  // delay pages: 1.5 s, far past the timeout
  Lab lab(settings);
  auto delay_fails = [](const server::Page &p, int) { return p.type == server::PageType::delay; };
  auto expected = test::reference_crawl(
      *lab.graph, lab.graph->first(), 0, 0, [&](const server::Page &p, int k) {
        return delay_fails(p, k) || test::server_failures(*lab.graph)(p, k);
      });
  auto r = crawl_once(lab, lab.crawl(0, 0, /*timeout_ms=*/150));
  CHECK(r.pages == expected.ok);
  for (const auto &e : r.events) {
    auto id = lab.graph->find(e.page);
    REQUIRE(id.has_value());
    if (e.kind == results::Event::Kind::request &&
        lab.graph->page(*id).type == server::PageType::delay)
      CHECK(e.status == 0);  // timed out: the server would have answered 200 at 1.5 s
  }
}

TEST_CASE("the same seed gives the same result, run after run", "[conformance]") {
  Lab lab(test::small_lab(9));
  auto first = crawl_once(lab, lab.crawl(0, 50));
  auto second = crawl_once(lab, lab.crawl(0, 50));
  CHECK(first.pages == second.pages);
  CHECK(first.requests == second.requests);
  CHECK(first.pages_failed == second.pages_failed);
}

TEST_CASE("a server that stops mid-run ends the run with an error, not a hang", "[conformance]") {
  auto settings = test::small_lab(12, 300);
  settings.delay_scale = 0.01;  // long enough a crawl to stop the server inside it
  Lab lab(settings);
  auto crawl_settings = lab.crawl(0, 3);
  auto run = std::async(std::launch::async,
                        [&] { return crawl::run_once(strategy(), crawl_settings, nullptr); });
  // Stop once the crawl is visibly under way: some pages served.
  while (run.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready &&
         lab.server.stats().answered < 50) {
  }
  lab.server.stop();
  auto r = run.get();
  CHECK(r.status == "failed");
  CHECK_THAT(r.error, Catch::Contains("unreachable"));
  CHECK(r.pages_ok < static_cast<long>(lab.graph->pages().size()));
}
