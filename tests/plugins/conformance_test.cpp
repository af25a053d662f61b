// What every strategy plugin must do, whatever its model. ctest runs this
// binary once per plugin, naming it in CONCUR_CONFORMANCE_PLUGIN; each plugin
// runs with its declared default options, changed by CONCUR_CONFORMANCE_OPTIONS
// ("key=value,key=value") where one plugin has several modes to hold to it.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <future>
#include <map>
#include <set>
#include <sstream>

#include "crawl/hedge_plan.hpp"
#include "support/lab.hpp"
#include "support/redis_server.hpp"
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

// CONCUR_CONFORMANCE_REDIS set: the plugin needs a Redis server (the
// distributed strategy). One real redis-server serves the whole binary.
experiment::PlannedRun strategy() {
  auto options = plugin_options();
  if (std::getenv("CONCUR_CONFORMANCE_REDIS") != nullptr) {
    static test::RedisServer redis;
    options.emplace_back("redis", redis.url());
  }
  return test::built_plugin(plugin_name(), options);
}

bool lanes_option() {
  for (const auto &[key, value] : plugin_options())
    if (key == "lanes") return value == "true";
  return false;
}

// With lanes=true a page's chains are solved together (the host's solve_tasks):
// every solve event of a core page spans the same interval, the group's.
void check_core_pages_in_lanes(const Lab &lab, const results::RunResult &r) {
  std::map<std::string, std::set<std::pair<double, double>>> spans;
  for (const auto &e : r.events)
    if (e.kind == results::Event::Kind::solve) spans[r.page_of(e)].insert({e.start_s, e.end_s});
  int core_pages = 0;
  for (const auto &[page, intervals] : spans) {
    const auto id = lab.graph->find(page);
    REQUIRE(id.has_value());
    if (lab.graph->page(*id).type != server::PageType::core) continue;
    ++core_pages;
    INFO("core page " << page);
    CHECK(intervals.size() == 1);
  }
  CHECK(core_pages > 0);
}

// CONCUR_CONFORMANCE_LANE_BATCHES set: the mode solves puzzles in lanes in
// batches of pages (a loop turn's, or a queued backlog's) and says how many
// batches it ran: at least one, and no more than the pages with a puzzle.
// That it is counted is what this checks; that a backlog is batched, the
// solve order test (plugin_solve_order) does.
void check_lane_batches(const results::RunResult &r) {
  if (std::getenv("CONCUR_CONFORMANCE_LANE_BATCHES") == nullptr) return;
  const auto lanes = test::lane_batches(r);
  INFO(lanes.puzzle_pages << " puzzle pages in " << lanes.batches << " batches");
  CHECK(lanes.batches >= 1);  // -1: the metric is missing
  CHECK(lanes.batches <= static_cast<double>(lanes.puzzle_pages));
}

results::RunResult crawl_once(const Lab &lab, const crawl::CrawlSettings &settings) {
  auto r = experiment::run_once(strategy(), settings, const_cast<server::Server *>(&lab.server));
  UNSCOPED_INFO(plugin_name() << ": status " << r.status << " " << r.error);
  return r;
}

}  // namespace

TEST_CASE("a whole-graph crawl reaches exactly the reachable pages", "[conformance]") {
  for (uint64_t seed : {1u, 42u}) {
    Lab lab(test::small_lab(seed));
    auto expected = test::reference_crawl(*lab.graph, lab.graph->first(), 0, 50);
    auto r = crawl_once(lab, lab.crawl(0, 50));
    CHECK(r.status == results::RunStatus::ok);
    CHECK(r.page_ids() == expected.ok);
    CHECK(r.pages_failed == expected.failed);
    CHECK(r.requests == expected.requests);
    // The server's own count of the run agrees exactly (its /metrics).
    long errors = 0;
    for (const auto &e : r.events)
      errors += e.kind == results::Event::Kind::request && e.status >= 500;
    CHECK(r.server_requests == r.requests);
    CHECK(r.server_errors == errors);
    CHECK(r.solves > 0);
    CHECK(r.lower_bound_s() > 0);
    CHECK(r.efficiency() <= 1.0);  // nothing beats the bound
    if (lanes_option()) check_core_pages_in_lanes(lab, r);
    check_lane_batches(r);
  }
}

TEST_CASE("max_pages is respected exactly", "[conformance]") {
  Lab lab(test::small_lab(5));
  const int limit = 37;
  auto r = crawl_once(lab, lab.crawl(limit, 50));
  CHECK(r.status == results::RunStatus::ok);
  CHECK(r.pages_ok + r.pages_failed == limit);
  CHECK(static_cast<long>(r.pages.size()) == r.pages_ok);  // reported == kept
  std::set<std::string> requested;
  for (const auto &e : r.events)
    if (e.kind == results::Event::Kind::request) requested.insert(r.page_of(e));
  CHECK(requested.size() == static_cast<size_t>(limit));  // nothing fetched beyond the limit
}

TEST_CASE("failure pages are retried per policy and counted", "[conformance]") {
  Lab lab(test::small_lab(3));
  auto expected = test::reference_crawl(*lab.graph, lab.graph->first(), 0, 2);
  REQUIRE(expected.failed > 0);  // this seed makes some failure page give up after 3 tries
  auto r = crawl_once(lab, lab.crawl(0, 2));
  CHECK(r.page_ids() == expected.ok);
  CHECK(r.pages_failed == expected.failed);
  CHECK(r.requests == expected.requests);
  CHECK(r.retries_used == expected.requests - static_cast<long>(expected.taken.size()));
}

TEST_CASE("timeouts cut delay pages off", "[conformance]") {
  auto settings = test::small_lab(8, 80);
  settings.delay_scale = 1;
  // Delay pages hold their answer for 10 minutes, so no stall of the client can
  // let one in before the 1.5 s timeout; every other page answers in 2 ms, with
  // 750 times that to spare on a loaded, sanitized machine.
  settings.delays_ms = {2, 600000, 2, 1, 1};
  Lab lab(settings);
  auto delay_fails = [](const server::Page &p, int) { return p.type == server::PageType::delay; };
  auto expected = test::reference_crawl(
      *lab.graph, lab.graph->first(), 0, 0, [&](const server::Page &p, int k) {
        return delay_fails(p, k) || test::server_failures(*lab.graph)(p, k);
      });
  auto r = crawl_once(lab, lab.crawl(0, 0, /*timeout_ms=*/1500));
  CHECK(r.page_ids() == expected.ok);
  int delay_requests = 0;
  for (const auto &e : r.events) {
    auto id = lab.graph->find(r.page_of(e));
    REQUIRE(id.has_value());
    if (e.kind == results::Event::Kind::request &&
        lab.graph->page(*id).type == server::PageType::delay) {
      ++delay_requests;
      CHECK(e.status == 0);  // timed out: the server holds its answer for 10 minutes
    }
  }
  CHECK(delay_requests > 0);  // this seed's crawl reaches delay pages
}

TEST_CASE("the same seed gives the same result, run after run", "[conformance]") {
  Lab lab(test::small_lab(9));
  auto first = crawl_once(lab, lab.crawl(0, 50));
  auto second = crawl_once(lab, lab.crawl(0, 50));
  CHECK(first.page_ids() == second.page_ids());
  CHECK(first.requests == second.requests);
  CHECK(first.pages_failed == second.pages_failed);
}

TEST_CASE("a server that stops mid-run ends the run with an error, not a hang", "[conformance]") {
  // Delay pages hold their answer for 10 minutes (and the crawl waits that
  // long), so no crawl can end before the server stops: whatever the machine's
  // load, the stop lands inside the run. Every other page answers in ~1 ms.
  auto settings = test::small_lab(12, 300);
  settings.delay_scale = 1;
  settings.delays_ms = {1, 600'000, 1, 1, 1};
  Lab lab(settings);
  REQUIRE(lab.graph->page(lab.graph->first()).type != server::PageType::delay);
  auto crawl_settings = lab.crawl(0, 3, /*timeout_ms=*/900'000);
  auto run = std::async(std::launch::async,
                        [&] { return experiment::run_once(strategy(), crawl_settings, nullptr); });
  // Stop once the crawl is under way and waits on a delay page: some pages
  // answered, and no answer for a while with a request held. The wait only
  // decides how far the crawl got; the run cannot end before the stop.
  auto last = lab.server.stats();
  auto still_since = std::chrono::steady_clock::now();
  while (run.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) {
    const auto now = lab.server.stats();
    if (now.answered >= 50) break;
    if (now.answered != last.answered) {
      last = now;
      still_since = std::chrono::steady_clock::now();
    } else if (now.answered > 0 && now.in_flight > 0 &&
               std::chrono::steady_clock::now() - still_since > std::chrono::milliseconds(200)) {
      break;
    }
  }
  REQUIRE(run.wait_for(std::chrono::seconds(0)) != std::future_status::ready);
  lab.server.stop();
  auto r = run.get();
  CHECK(r.status == results::RunStatus::failed);
  CHECK_THAT(r.error, Catch::Contains("unreachable"));
  CHECK(r.pages_ok < static_cast<long>(lab.graph->pages().size()));
}

TEST_CASE("hedged attempts are counted exactly and change only the load", "[conformance][policy]") {
  Lab lab(test::small_lab(3));
  const int hedge = 3, retries = 4;
  auto settings = lab.crawl(0, retries);
  settings.policy.hedge = hedge;
  // Attempt 1 is one request; each later attempt is `hedge` copies, and fails
  // only if all fail. The server decides by arrival order per page, and an
  // attempt's copies are all answered before the next attempt goes out, so
  // its copies are requests 2+(a-2)h .. 1+(a-1)h whatever order they land in.
  const auto request_fails = test::server_failures(*lab.graph);
  auto attempt_fails = [&](const server::Page &page, int a) {
    const int first = a == 1 ? 1 : 2 + (a - 2) * hedge, last = a == 1 ? 1 : first + hedge - 1;
    for (int k = first; k <= last; ++k)
      if (!request_fails(page, k)) return false;
    return true;
  };
  auto expected = test::reference_crawl(*lab.graph, lab.graph->first(), 0, retries, attempt_fails);
  const long retried = expected.requests - static_cast<long>(expected.taken.size());
  REQUIRE(retried > 0);
  REQUIRE(expected.failed > 0);  // this seed has pages give up even with hedging

  auto r = crawl_once(lab, settings);
  CHECK(r.status == results::RunStatus::ok);
  CHECK(r.page_ids() == expected.ok);
  CHECK(r.pages_failed == expected.failed);
  CHECK(r.give_ups == expected.failed);
  CHECK(r.retries_used == retried);
  CHECK(r.hedged_requests == (hedge - 1) * retried);
  CHECK(r.requests == expected.requests + r.hedged_requests);
  CHECK(r.cancelled_requests <= r.hedged_requests);
  long on_timeline = 0;
  for (const auto &e : r.events) on_timeline += e.kind == results::Event::Kind::request;
  CHECK(on_timeline == r.requests);  // cancelled copies too
}

TEST_CASE("hedge auto sends the copies its plan asks for, counted exactly",
          "[conformance][policy]") {
  Lab lab(test::small_lab(3));
  const int retries = 6;
  auto settings = lab.crawl(0, retries);
  settings.policy.hedge = crawl::FetchPolicy::kHedgeAuto;
  // No plan given: the fetcher's own, without the graph (one copy first, then
  // two), the same one computed here.
  const auto plan = crawl::HedgePlan::without_graph(crawl::kProtocolFailureRate);
  const auto request_fails = test::server_failures(*lab.graph);
  long copies_sent = 0;
  auto attempt_fails = [&](const server::Page &page, int a) {
    int first = 1;
    for (int i = 1; i < a; ++i) first += plan.copies(page.id, i);
    const int copies = plan.copies(page.id, a);
    copies_sent += copies;
    for (int k = first; k < first + copies; ++k)
      if (!request_fails(page, k)) return false;
    return true;
  };
  auto expected = test::reference_crawl(*lab.graph, lab.graph->first(), 0, retries, attempt_fails);
  REQUIRE(copies_sent > expected.requests);  // some attempt was hedged

  auto r = crawl_once(lab, settings);
  CHECK(r.status == results::RunStatus::ok);
  CHECK(r.page_ids() == expected.ok);
  CHECK(r.pages_failed == expected.failed);
  CHECK(r.hedged_requests == copies_sent - expected.requests);
  CHECK(r.requests == copies_sent);
  CHECK(r.cancelled_requests <= r.hedged_requests);
}

TEST_CASE("a request slower than hedge_after_ms gets a twin", "[conformance][policy]") {
  auto s = test::small_lab(4, 60);
  s.failure_rate = 0;  // only latency here: every page succeeds at its first attempt
  s.delay_scale = 1;
  s.delays_ms = {2, 100, 2, 1, 1};  // delay pages take 100 ms, the rest ~nothing
  Lab lab(s);
  auto settings = lab.crawl(0, 50);
  settings.policy.hedge_after_ms = 20;
  auto expected = test::reference_crawl(*lab.graph, lab.graph->first(), 0, 50);
  long delay_pages = 0;
  for (const auto &id : expected.taken)
    delay_pages += lab.graph->page(*lab.graph->find(id)).type == server::PageType::delay;
  REQUIRE(delay_pages > 0);

  auto r = crawl_once(lab, settings);
  CHECK(r.status == results::RunStatus::ok);
  CHECK(r.page_ids() == expected.ok);
  CHECK(r.retries_used == 0);
  // A delay page's request is still out 80 ms after its twin is due: at least
  // one twin went out, and every twin is a request booked as hedged.
  CHECK(r.hedged_requests >= 1);
  CHECK(r.requests == static_cast<long>(expected.taken.size()) + r.hedged_requests);
  CHECK(r.cancelled_requests <= r.hedged_requests);
}

TEST_CASE("a crawl of profile original reaches every page", "[conformance][profile]") {
  auto s = test::small_lab(6);
  server::apply_profile(s, server::Profile::original);  // 6-char ids, bare links, plain rule
  s.cpu_iterations = 300;                               // ... with small puzzles
  s.core_iterations = 100;
  Lab lab(s);
  auto expected = test::reference_crawl(*lab.graph, lab.graph->first(), 0, 50);
  auto r = crawl_once(lab, lab.crawl(0, 50));
  CHECK(r.status == results::RunStatus::ok);
  CHECK(r.page_ids() == expected.ok);
  CHECK(r.pages_failed == expected.failed);
  CHECK(r.requests == expected.requests);
  CHECK(r.pages_ok > 100);
  CHECK(r.solves > 0);
}

TEST_CASE("backoff waits between attempts, as the schedule says", "[conformance][policy]") {
  // A server that is gone: every attempt fails at once (connection refused), so
  // the gaps between attempts are the backoff alone.
  Lab lab(test::small_lab(29));
  auto settings = lab.crawl(0, 3);
  lab.server.stop();
  settings.policy.backoff.kind = crawl::BackoffKind::fixed;
  settings.policy.backoff.base_ms = 40;
  settings.policy.backoff.jitter = false;
  auto r = experiment::run_once(strategy(), settings, nullptr);
  CHECK(r.status == results::RunStatus::failed);
  CHECK(r.connect_failures == 4);  // the start page: 1 + 3 attempts, then the run ends
  CHECK(r.requests == 0);          // none of them connected
  REQUIRE(r.events.size() == 4);
  for (size_t i = 1; i < r.events.size(); ++i)
    CHECK(r.events[i].start_s - r.events[i - 1].end_s >= 0.040);
}
