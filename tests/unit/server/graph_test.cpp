#include <catch2/catch.hpp>
#include <queue>
#include <set>
#include <stdexcept>

#include "hash/md5_chain.hpp"
#include "server/graph.hpp"

using namespace concur::server;

namespace {

Settings small_settings(uint64_t seed, int pages = 120) {
  Settings s;
  s.seed = seed;
  s.pages = pages;
  s.extra_edges = 2 * pages;
  s.cpu_iterations = 50;
  s.core_iterations = 20;
  return s;
}

bool is_puzzle(PageType t) {
  return t == PageType::cpu || t == PageType::core;
}

size_t reachable_from_first(const Graph &g) {
  std::vector<char> seen(g.pages().size(), 0);
  std::queue<uint32_t> todo;
  todo.push(g.first());
  seen[g.first()] = 1;
  size_t count = 1;
  while (!todo.empty()) {
    const uint32_t at = todo.front();
    todo.pop();
    for (uint32_t to : g.page(at).links)
      if (!seen[to]) seen[to] = 1, ++count, todo.push(to);
  }
  return count;
}

}  // namespace

TEST_CASE("same seed gives the same graph, another seed another", "[server][graph]") {
  const Graph a = Graph::build(small_settings(7));
  const Graph b = Graph::build(small_settings(7));
  const Graph c = Graph::build(small_settings(8));
  REQUIRE(a.pages().size() == b.pages().size());
  bool all_same_as_c = true;
  for (size_t i = 0; i < a.pages().size(); ++i) {
    const Page &p = a.page(static_cast<uint32_t>(i)), &q = b.page(static_cast<uint32_t>(i));
    CHECK(p.id == q.id);
    CHECK(p.type == q.type);
    CHECK(p.links == q.links);
    CHECK(p.seeds == q.seeds);
    const Page &r = c.page(static_cast<uint32_t>(i));
    all_same_as_c = all_same_as_c && p.id == r.id && p.links == r.links && p.type == r.type;
  }
  CHECK_FALSE(all_same_as_c);
}

TEST_CASE("type counts are exact by largest remainder", "[server][graph]") {
  auto big = small_settings(1, 1000);
  big.extra_edges = 2000;
  CHECK(Graph::build(big).type_counts() == std::array<int, 5>{600, 100, 100, 100, 100});
  // 37 x shares = 22.2 / 3.7 x 4: floors 22,3,3,3,3, the three leftover pages go
  // to the largest remainders, ties to the lower type.
  CHECK(Graph::build(small_settings(1, 37)).type_counts() == std::array<int, 5>{22, 4, 4, 4, 3});
}

TEST_CASE("every page is reachable from the first page", "[server][graph]") {
  for (uint64_t seed : {1, 2, 3, 42, 1234}) {
    const Graph g = Graph::build(small_settings(seed, 150));
    CHECK(reachable_from_first(g) == g.pages().size());
  }
  auto sparse = small_settings(5, 60);
  sparse.extra_edges = 0;  // the tree alone must do it
  const Graph g = Graph::build(sparse);
  CHECK(reachable_from_first(g) == g.pages().size());
}

TEST_CASE("ids are unique lowercase hex of id_length and findable", "[server][graph]") {
  auto s = small_settings(9);
  s.id_length = 6;
  const Graph g = Graph::build(s);
  std::set<std::string> ids;
  for (uint32_t i = 0; i < g.pages().size(); ++i) {
    const std::string &id = g.page(i).id;
    CHECK(id.size() == 6);
    CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
    ids.insert(id);
    CHECK(g.find(id) == i);
  }
  CHECK(ids.size() == g.pages().size());
  CHECK_FALSE(g.find("zzzzzz"));
}

TEST_CASE("puzzle pages: one link, distinct targets, right answers, unique seeds",
          "[server][graph]") {
  for (uint64_t seed : {3, 11}) {
    for (auto rule : {concur::hash::Rule::indexed, concur::hash::Rule::plain}) {
      auto s = small_settings(seed, 200);
      s.hash_rule = rule;
      const Graph g = Graph::build(s);
      std::set<uint32_t> targets;
      std::set<std::string> seeds;
      size_t seed_count = 0;
      for (const Page &p : g.pages()) {
        if (!is_puzzle(p.type)) {
          CHECK(p.seeds.empty());
          continue;
        }
        REQUIRE(p.links.size() == 1);
        CHECK(targets.insert(p.links[0]).second);
        const std::string &target = g.page(p.links[0]).id;
        CHECK(target != p.id);
        if (p.type == PageType::cpu) {
          REQUIRE(p.seeds.size() == 1);
          CHECK(concur::hash::chain(p.seeds[0], s.cpu_iterations, rule).substr(0, 4) == target);
        } else {
          REQUIRE(p.seeds.size() == 4);
          for (size_t j = 0; j < 4; ++j)
            CHECK(concur::hash::chain(p.seeds[j], s.core_iterations, rule)[0] == target[j]);
        }
        seeds.insert(p.seeds.begin(), p.seeds.end());
        seed_count += p.seeds.size();
      }
      CHECK(seeds.size() == seed_count);
      CHECK(targets.size() == 40);  // 20 cpu + 20 core pages
    }
  }
}

TEST_CASE("graphs made only of puzzle pages still hold together", "[server][graph]") {
  auto s = small_settings(4, 30);
  s.shares = {0, 0, 0, 0.5, 0.5};
  const Graph g = Graph::build(s);
  std::set<uint32_t> targets;
  for (const Page &p : g.pages()) {
    REQUIRE(p.links.size() == 1);
    CHECK(targets.insert(p.links[0]).second);
  }
  CHECK(reachable_from_first(g) == g.pages().size());
}

TEST_CASE("invalid settings throw naming the setting", "[server][graph]") {
  auto expect_throw = [](auto change, const std::string &name) {
    Settings s = small_settings(1);
    change(s);
    CHECK_THROWS_WITH(Graph::build(s), Catch::Contains(name));
    CHECK_THROWS_AS(Graph::build(s), std::invalid_argument);
  };
  expect_throw([](Settings &s) { s.pages = 0; }, "pages");
  expect_throw([](Settings &s) { s.id_length = 0; }, "id_length");
  expect_throw([](Settings &s) { s.id_length = 17; }, "id_length");
  expect_throw([](Settings &s) { s.id_length = 2, s.pages = 33; }, "16^id_length >= 8 x pages");
  expect_throw([](Settings &s) { s.shares = {0.6, 0.1, 0.1, 0.1, 0.2}; }, "shares");
  expect_throw([](Settings &s) { s.shares = {1.2, -0.2, 0, 0, 0}; }, "shares");
  expect_throw([](Settings &s) { s.delays_ms[1] = -1; }, "delays_ms");
  expect_throw([](Settings &s) { s.delay_scale = -0.5; }, "delay_scale");
  expect_throw([](Settings &s) { s.failure_rate = 1.5; }, "failure_rate");
  expect_throw([](Settings &s) { s.extra_edges = -1; }, "extra_edges");
  Settings ok = small_settings(1);
  ok.id_length = 2, ok.pages = 32;  // 256 ids = 8 x 32: just enough
  CHECK_NOTHROW(Graph::build(ok));
}

TEST_CASE("the failure oracle is deterministic and close to failure_rate", "[server][graph]") {
  Settings s;
  s.failure_rate = 0.3;
  int fails = 0;
  const int total = 20000;
  for (int i = 0; i < total; ++i) {
    const std::string id = "p" + std::to_string(i % 200);
    const uint64_t k = 1 + static_cast<uint64_t>(i / 200);
    const bool first = failure_request_fails(s, id, k);
    CHECK(first == failure_request_fails(s, id, k));
    fails += first ? 1 : 0;
  }
  CHECK(fails > total * 0.27);
  CHECK(fails < total * 0.33);
  s.failure_rate = 0;
  CHECK_FALSE(failure_request_fails(s, "abcd", 1));
  s.failure_rate = 1;
  CHECK(failure_request_fails(s, "abcd", 1));
}

TEST_CASE("page type names round-trip", "[server][graph]") {
  for (size_t t = 0; t < kPageTypeCount; ++t) {
    CHECK(parse_page_type(page_type_name(PageType(t))) == PageType(t));
  }
  CHECK_FALSE(parse_page_type("root"));
}

TEST_CASE("puzzle_cost: the cost stated before a graph is built", "[server][graph]") {
  // The defaults: 100 cpu pages x 50M steps + 100 core pages x 4 seeds x 12.5M.
  const PuzzleCost full = puzzle_cost(Settings{});
  CHECK(full.puzzles == 200);
  CHECK(full.chain_steps == 10'000'000'000ULL);
  CHECK(full.seconds == make_seconds(full.chain_steps));
  CHECK(full.seconds > 60);  // minutes on any machine: worth a line before making them

  // Exact for the course profile: what the build then counts.
  const Settings course = small_settings(4);
  const Graph built = Graph::build(course);
  CHECK(puzzle_cost(course).chain_steps == built.build_stats().chain_steps);
  const auto types = built.type_counts();
  CHECK(puzzle_cost(course).puzzles == static_cast<size_t>(types[3] + types[4]));

  // The original's puzzle pages have one puzzle per link: an estimate from
  // the mean links per page, the same order as what the build counts.
  Settings original = profile_settings(Profile::original);
  original.pages = 200;
  original.extra_edges = 400;
  original.cpu_iterations = 50;
  original.core_iterations = 20;
  const auto estimated = static_cast<double>(puzzle_cost(original).chain_steps);
  const auto counted = static_cast<double>(Graph::build(original).build_stats().chain_steps);
  CHECK(estimated > counted / 2);
  CHECK(estimated < counted * 2);
}
