// hedge: auto's plan: copies per attempt from a page's slack on the graph.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <unordered_map>

#include "crawl/hedge_plan.hpp"
#include "crawl/policy.hpp"

using namespace concur::crawl;
using concur::results::KnownGraph;

namespace {

const std::unordered_map<std::string, double> kDelays = {
    {"regular", 0.5}, {"delay", 5}, {"failure", 0.5}, {"cpu", 0.1}, {"core", 0.1}};

// s → f1 (failure) → d1 → d2 → d3 (delay pages: the critical path, 16 s);
// s → f2 (failure, a leaf finishing at 1 s: 15 s of slack, 30 rounds).
KnownGraph lab() {
  KnownGraph g;
  g.links = {{"s", {"f1", "f2"}}, {"f1", {"d1"}}, {"d1", {"d2"}},
             {"d2", {"d3"}},      {"d3", {}},     {"f2", {}}};
  g.types = {{"s", "regular"}, {"f1", "failure"}, {"d1", "delay"},
             {"d2", "delay"},  {"d3", "delay"},   {"f2", "failure"}};
  return g;
}

}  // namespace

TEST_CASE("a page on the critical path is hedged from its first attempt", "[hedge]") {
  const HedgePlan plan = HedgePlan::from_graph(lab(), "s", kDelays, 0.5, 0.9);
  CHECK(plan.critical_path_s() == Approx(16.0));
  CHECK(plan.failure_pages() == 2);
  // epsilon = 5 / 2 failure pages, at most 0.5: f1 has no slack at all, so
  // each attempt must fail less often than 0.5 on its own: 0.9^h <= 0.5, h = 7.
  CHECK(plan.copies("f1", 1) == 7);
  CHECK(plan.copies("f1", 2) == HedgePlan::kMaxCopies);  // late already
  CHECK(plan.hedged_from_start() == 1);
}

TEST_CASE("a page with slack sends one copy until its slack runs out", "[hedge]") {
  const HedgePlan plan = HedgePlan::from_graph(lab(), "s", kDelays, 0.5, 0.9);
  // f2: 30 rounds; attempt a leaves m = 30 - (a - 1); one copy while
  // 0.9^(m + 1) <= 0.5, i.e. m >= 6.
  CHECK(plan.copies("f2", 1) == 1);
  CHECK(plan.copies("f2", 25) == 1);  // m = 6: 0.9^7 = 0.48
  CHECK(plan.copies("f2", 26) == 2);  // m = 5: 0.9^6 = 0.53, 0.9^12 = 0.28
  CHECK(plan.copies("f2", 31) == 7);  // m = 0
  CHECK(plan.copies("f2", 32) == HedgePlan::kMaxCopies);
  // Copies never fall as attempts go on.
  int before = 1;
  for (int attempt = 1; attempt <= 40; ++attempt) {
    CHECK(plan.copies("f2", attempt) >= before);
    before = plan.copies("f2", attempt);
  }
}

TEST_CASE("pages that answer at once still pass their subtree's finish up", "[hedge]") {
  // Regular pages cost nothing here: f1 → r1 → r2 → d1 all finish at 0.5 s but
  // d1, which ends the critical path at 5.5 s, so f1 has no slack at all.
  KnownGraph g;
  g.links = {{"s", {"f1", "f2"}}, {"f1", {"r1"}}, {"r1", {"r2"}},
             {"r2", {"d1"}},      {"d1", {}},     {"f2", {}}};
  g.types = {{"s", "regular"},  {"f1", "failure"}, {"r1", "regular"},
             {"r2", "regular"}, {"d1", "delay"},   {"f2", "failure"}};
  auto delays = kDelays;
  delays["regular"] = 0;
  const HedgePlan plan = HedgePlan::from_graph(g, "s", delays, 0, 0.9);
  CHECK(plan.critical_path_s() == Approx(5.5));
  CHECK(plan.copies("f1", 1) == 7);  // no slack: 0.9^h <= 0.5
  CHECK(plan.copies("f2", 1) == 1);  // 10 rounds of slack
}

TEST_CASE("without the graph, one copy first and more as a page keeps failing", "[hedge]") {
  const HedgePlan plan = HedgePlan::without_graph(0.9);
  // epsilon 0.05: one copy meets it over ceil(ln 0.05 / ln 0.9) = 29 attempts.
  CHECK(plan.copies("any", 1) == 1);
  CHECK(plan.copies("any", 2) == 2);
  CHECK(plan.copies("any", 15) == 2);
  CHECK(plan.copies("any", 16) == 3);
  CHECK(plan.copies("any", 20) == 3);
  CHECK(plan.copies("any", 29) == HedgePlan::kMaxCopies);  // m = 0: h = 29, capped
  CHECK(plan.copies("any", 30) == HedgePlan::kMaxCopies);
}

TEST_CASE("copies cannot help a page that never or always fails", "[hedge]") {
  CHECK(HedgePlan::without_graph(0).copies("p", 5) == 1);
  CHECK(HedgePlan::without_graph(1).copies("p", 5) == 1);
  const HedgePlan plan = HedgePlan::from_graph(lab(), "s", kDelays, 0.5, 1.0);
  CHECK(plan.copies("f1", 1) == 1);
}

TEST_CASE("hedge auto is its own policy", "[hedge]") {
  FetchPolicy p;
  p.hedge = FetchPolicy::kHedgeAuto;
  CHECK(p.hedging());
  CHECK(describe(p).find("hedge=auto") != std::string::npos);
}
