#include <catch2/catch.hpp>

#include "results/lower_bound.hpp"
#include "results/run_result.hpp"

using namespace concur::results;

namespace {
// What the events below name pages by.
PageNames &names() {
  static PageNames table;
  return table;
}
Event request(const std::string &page, double start, double end, long status = 200) {
  return {.kind = Event::Kind::request,
          .page = names().intern(page).first,
          .start_s = start,
          .end_s = end,
          .status = status};
}
// The pages a run completed, each with its links, typed from `types`.
PageRecords completed(const std::vector<std::pair<std::string, std::vector<std::string>>> &links,
                      const PageTypes &types = {}) {
  PageRecords pages;
  for (const auto &[page, to] : links) {
    const auto type = types.find(page);
    pages.push_back({names().intern(page).first,
                     names().type_index(type == types.end() ? "" : type->second), LinkList(to)});
  }
  return pages;
}
// A solve whose span is all CPU time.
Event solve(const std::string &page, double start, double end, long unit = 0) {
  return {.kind = Event::Kind::solve,
          .page = names().intern(page).first,
          .start_s = start,
          .end_s = end,
          .status = unit,
          .cpu_s = end - start};
}
}  // namespace

TEST_CASE("the critical path takes each page's shortest discovery path", "[results]") {
  // a → b → d and a → c → d; c is a core page with two units (3 s and 1 s).
  const Events events = {
      request("a", 0, 1),      request("b", 1, 6, 500),  // a failed attempt: not inherent
      request("b", 6, 8),      request("c", 1, 1.5),    solve("c", 1.5, 4.5, 0),
      solve("c", 4.5, 5.5, 1), request("d", 8, 9)};
  const PageRecords links = completed({{"a", {"b", "c"}}, {"b", {"d"}}, {"c", {"d"}}, {"d", {}}});
  LowerBound bound = lower_bound("a", events, names(), links, 2);
  // a = 1; b = 1 + 2 = 3; c = 1 + 0.5 + 3 = 4.5; d = min(3, 4.5) + 1 = 4.
  CHECK(bound.critical_path_s == Approx(4.5));
  CHECK(bound.cpu_bound_s == Approx(2.0));  // 4 s of solving over 2 cores
  CHECK(bound.bound_s() == Approx(4.5));
}

TEST_CASE("CPU work bounds a run when it outweighs the path", "[results]") {
  const Events events = {request("a", 0, 0.1), solve("a", 0.1, 10.1)};
  LowerBound bound = lower_bound("a", events, names(), completed({{"a", {}}}), 4);
  CHECK(bound.critical_path_s == Approx(10.1));
  CHECK(bound.cpu_bound_s == Approx(2.5));
  bound = lower_bound("a", events, names(), completed({{"a", {}}}), 1);
  CHECK(bound.cpu_bound_s == Approx(10.0));
}

TEST_CASE("solves are costed by CPU time, not by their span", "[results]") {
  // Two 1 s solves that took 2 s each, sharing one core: the best schedule pays 1 s each.
  Event first = solve("a", 0.1, 2.1), second = solve("b", 0.1, 2.1);
  first.cpu_s = second.cpu_s = 1.0;
  const Events events = {request("a", 0, 0.1), request("b", 0, 0.1), first, second};
  LowerBound bound = lower_bound("a", events, names(), completed({{"a", {}}, {"b", {}}}), 1);
  CHECK(bound.cpu_bound_s == Approx(2.0));
  CHECK(bound.critical_path_s == Approx(1.1));
}

TEST_CASE("failed pages discover nothing", "[results]") {
  const Events events = {request("a", 0, 1), request("b", 1, 2, 500), request("c", 2, 3)};
  // b failed (no links entry): c, linked only from b, is not on any path from a.
  LowerBound bound = lower_bound("a", events, names(), completed({{"a", {"b"}}, {"c", {}}}), 1);
  CHECK(bound.critical_path_s == Approx(1.0));
}

TEST_CASE("a page's fetch costs the fastest fetch seen of its type", "[results]") {
  // a → b → c, all regular; b's answer sat 2 s in a stalled client.
  const Events events = {request("a", 0, 0.05), request("b", 0.05, 2.05), request("c", 2.05, 2.1)};
  const std::vector<std::pair<std::string, std::vector<std::string>>> links = {
      {"a", {"b"}}, {"b", {"c"}}, {"c", {}}};
  // Untyped, each page keeps its own fetch.
  CHECK(lower_bound("a", events, names(), completed(links), 1).critical_path_s == Approx(2.1));
  const PageTypes types = {{"a", "regular"}, {"b", "regular"}, {"c", "regular"}};
  CHECK(lower_bound("a", events, names(), completed(links, types), 1).critical_path_s ==
        Approx(0.15));
  // Types apart, each keeps its own.
  const PageTypes mixed = {{"a", "regular"}, {"b", "delay"}, {"c", "regular"}};
  CHECK(lower_bound("a", events, names(), completed(links, mixed), 1).critical_path_s ==
        Approx(2.1));
}

TEST_CASE("with the whole graph known, the path runs over pages the run never reached",
          "[results]") {
  // The graph: a → b, a → d, d → e; d is a failure page whose every attempt
  // failed in this run, so e was never reached. b and e are regular pages.
  KnownGraph graph;
  graph.links = {{"a", {"b", "d"}}, {"b", {}}, {"d", {"e"}}, {"e", {}}};
  graph.types = {{"a", "regular"}, {"b", "regular"}, {"d", "failure"}, {"e", "regular"}};
  const Events events = {request("a", 0, 1), request("b", 1, 3), request("d", 1, 4, 500),
                         request("d", 4, 6, 500)};
  // Discovered only: a (1, the fastest regular) then b (1): 2 s.
  const PageTypes types = {{"a", "regular"}, {"b", "regular"}};
  CHECK(lower_bound("a", events, names(), completed({{"a", {"b", "d"}}, {"b", {}}}, types), 1)
            .critical_path_s == Approx(2.0));
  // Whole graph: a, d, e. d never succeeded and no failure page did: it costs
  // nothing known; e costs the fastest regular fetch seen (1 s).
  CHECK(graph_lower_bound("a", events, names(), graph, 1).critical_path_s == Approx(2.0));
  // Once one failure page succeeded somewhere (0.5 s), d costs that.
  graph.links["f"] = {};
  graph.links["a"].push_back("f");
  graph.types["f"] = "failure";
  auto more = events;
  more.push_back(request("f", 1, 1.5));
  CHECK(graph_lower_bound("a", more, names(), graph, 1).critical_path_s == Approx(1 + 0.5 + 1));
}

TEST_CASE("unseen puzzle pages cost the cheapest solve of their type", "[results]") {
  KnownGraph graph;
  graph.links = {{"a", {"c1", "c2"}}, {"c1", {}}, {"c2", {"z"}}, {"z", {}}};
  graph.types = {{"a", "regular"}, {"c1", "cpu"}, {"c2", "cpu"}, {"z", "regular"}};
  // c1 fetched (0.2 s) and solved (3 s of CPU); c2 and z never reached.
  const Events events = {request("a", 0, 1), request("c1", 1, 1.2), solve("c1", 1.2, 4.2)};
  // a 1 + c2 (0.2 + 3) + z (1: the fastest regular) = 5.2.
  CHECK(graph_lower_bound("a", events, names(), graph, 1).critical_path_s == Approx(5.2));
}

TEST_CASE("an ideal schedule of the hand-built graph has efficiency 1", "[results]") {
  // The graph of the first test (a → b → d, a → c → d; c a core page of a 3 s
  // and a 1 s unit), run by an ideal strategy on 2 cores: b and c fetched as
  // soon as a yields them, c's units solved side by side, d fetched as soon as
  // b yields it. It ends when c's longer unit does, at 4.5 s: the critical path.
  const Events events = {request("a", 0, 1),      request("b", 1, 3),      request("c", 1, 1.5),
                         solve("c", 1.5, 4.5, 0), solve("c", 1.5, 2.5, 1), request("d", 3, 4)};
  const PageRecords links = completed({{"a", {"b", "c"}}, {"b", {"d"}}, {"c", {"d"}}, {"d", {}}});
  const LowerBound bound = lower_bound("a", events, names(), links, 2);
  RunResult run;
  run.critical_path_s = bound.critical_path_s;
  run.cpu_bound_s = bound.cpu_bound_s;
  run.wall_s = 4.5;  // the ideal schedule's end
  CHECK(run.efficiency() == Approx(1.0));
  run.wall_s = 6.0;  // anything slower scores less
  CHECK(run.efficiency() == Approx(0.75));
}

TEST_CASE("a compute task's length is its CPU time plus its declared waits, not its span",
          "[results]") {
  // Two cores. Task a: 1 s CPU and 2 s asleep in a 4 s span (it waited for the
  // GIL too); task b: 3 s CPU, no wait.
  Event a = solve("a", 0, 4), b = solve("b", 0, 3);
  a.cpu_s = 1.0;
  a.wait_s = 2.0;
  b.worker = 1;
  Events events = {a, b};
  const LowerBound bound = compute_lower_bound(events, 2);
  CHECK(bound.critical_path_s == Approx(3.0));  // max(1 + 2, 3 + 0)
  CHECK(bound.cpu_bound_s == Approx(2.0));      // (1 + 3) / 2: waits use no core
  events[0].wait_s = 5;
  CHECK(compute_lower_bound(events, 2).critical_path_s == Approx(6.0));
}
