// The solve order: a puzzle page's urgency is the latest expected finish in
// its discovery subtree (crawl/solve_order.hpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>

#include "crawl/graph_paths.hpp"
#include "crawl/solve_order.hpp"

using namespace concur::crawl;
using concur::results::KnownGraph;

namespace {

const std::unordered_map<std::string, double> kDelays = {
    {"regular", 0.5}, {"delay", 5}, {"failure", 0.5}, {"cpu", 0.1}, {"core", 0.1}};

// s → c1 (cpu) → d1 (delay): c1 leads to 5 s more;
// s → c2 (cpu) → r1 (regular): c2 leads to 0.5 s more;
// s → c3 (cpu) → f1 (failure): 0.5 s a request, ten expected at f = 0.9;
// s → c4 (cpu), a leaf.
KnownGraph lab() {
  KnownGraph g;
  g.links = {{"s", {"c1", "c2", "c3", "c4"}},
             {"c1", {"d1"}},
             {"c2", {"r1"}},
             {"c3", {"f1"}},
             {"c4", {}},
             {"d1", {}},
             {"r1", {}},
             {"f1", {}}};
  g.types = {{"s", "regular"}, {"c1", "cpu"},   {"c2", "cpu"},     {"c3", "cpu"},
             {"c4", "cpu"},    {"d1", "delay"}, {"r1", "regular"}, {"f1", "failure"}};
  return g;
}

PuzzleParams puzzles(uint64_t cpu_steps) {
  PuzzleParams p;
  p.cpu_iterations = cpu_steps;
  p.core_iterations = cpu_steps / 4;
  return p;
}

}  // namespace

TEST_CASE("graph paths: each page's subtree finishes at its latest descendant", "[solve_order]") {
  const KnownGraph g = lab();
  const auto paths = graph_paths(g, "s", [](const std::string &) { return 1.0; });
  CHECK(paths.critical_path_s == Approx(3));  // s, c_i, then a child
  CHECK(paths.subtree_finish_s.at("s") == Approx(3));
  CHECK(paths.subtree_finish_s.at("c4") == Approx(2));  // a leaf: its own finish
  CHECK(paths.subtree_finish_s.at("c1") == Approx(3));
  CHECK(paths.subtree_finish_s.size() == g.links.size());
  // A start the graph does not have: nothing is reached.
  CHECK(
      graph_paths(g, "nowhere", [](const std::string &) { return 1.0; }).subtree_finish_s.empty());
}

TEST_CASE("graph paths: cycles, free pages, unknown and unreachable pages", "[solve_order]") {
  // s → a → b → a (a cycle) and b → s (back to the start); a → z (costs nothing) → y;
  // b → ghost (a page the graph does not list: not reached); u → s (u unreachable).
  KnownGraph g;
  g.links = {{"s", {"a"}}, {"a", {"b", "z"}}, {"b", {"a", "s", "ghost"}},
             {"z", {"y"}}, {"y", {}},         {"u", {"s"}}};
  const std::unordered_map<std::string, double> cost = {{"z", 0.0}, {"y", 2.0}, {"u", 5.0}};
  const auto paths = graph_paths(g, "s", [&](const std::string &page) {
    const auto c = cost.find(page);
    return c == cost.end() ? 1.0 : c->second;
  });
  CHECK(paths.critical_path_s == Approx(4));           // s 1, a 2, z 2, y 4
  CHECK(paths.subtree_finish_s.at("z") == Approx(4));  // a free page still passes y's finish on
  CHECK(paths.subtree_finish_s.at("a") == Approx(4));
  CHECK(paths.subtree_finish_s.at("b") == Approx(3));  // its links lead nowhere new
  CHECK(paths.subtree_finish_s.count("ghost") == 0);
  CHECK(paths.subtree_finish_s.at("s") == Approx(4));
  CHECK(paths.subtree_finish_s.count("u") == 0);
  CHECK(paths.subtree_finish_s.size() == 5);  // s a b z y
}

TEST_CASE("a puzzle that leads to the longest expected work is the most urgent", "[solve_order]") {
  const SolveOrder order =
      SolveOrder::from_graph(lab(), "s", kDelays, 0.5, 0.9, 51, puzzles(1'000'000));
  CHECK(order.puzzle_pages() == 4);  // the cpu pages only
  const double puzzle_s = 0.1 + 1'000'000 * SolveOrder::kStepSeconds;
  CHECK(order.urgency("c4") == Approx(0.5 + puzzle_s));
  CHECK(order.urgency("c2") == Approx(0.5 + puzzle_s + 0.5));
  CHECK(order.urgency("c1") == Approx(0.5 + puzzle_s + 5));
  // A failure page costs its expected attempts: (1 - 0.9^51) / 0.1 of 0.5 s.
  CHECK(order.urgency("c3") == Approx(0.5 + puzzle_s + 0.5 * (1 - std::pow(0.9, 51)) / 0.1));
  CHECK(order.urgency("c1") > order.urgency("c3"));
  CHECK(order.urgency("c3") > order.urgency("c2"));
  CHECK(order.urgency("c2") > order.urgency("c4"));
  // Not a puzzle page, or not in the graph: no urgency.
  CHECK(order.urgency("s") == 0);
  CHECK(order.urgency("zz") == 0);
}

TEST_CASE("a failure page's expected attempts are bounded by the retries allowed",
          "[solve_order]") {
  // One attempt allowed: a failure page costs one request, like a regular one.
  const SolveOrder once = SolveOrder::from_graph(lab(), "s", kDelays, 0.5, 0.9, 1, puzzles(0));
  CHECK(once.urgency("c3") == Approx(once.urgency("c2")));
  // A page that always fails costs every attempt.
  const SolveOrder always = SolveOrder::from_graph(lab(), "s", kDelays, 0.5, 1.0, 4, puzzles(0));
  CHECK(always.urgency("c3") == Approx(0.5 + 0.1 + 4 * 0.5));
  // The most retries a config may ask for: about 1 / (1 - f) attempts, finite.
  const SolveOrder most = SolveOrder::from_graph(lab(), "s", kDelays, 0.5, 0.9,
                                                 1L + std::numeric_limits<int>::max(), puzzles(0));
  CHECK(most.urgency("c3") == Approx(0.5 + 0.1 + 0.5 * 10));
}
