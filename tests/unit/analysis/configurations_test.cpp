// Comparison groups, baselines, labels and sweeps over the shapes of the
// example experiments, worked out by hand.
#include <catch2/catch.hpp>

#include "analysis/configurations.hpp"

using namespace concur::analysis;

namespace {

std::vector<Identity> ids(std::initializer_list<std::pair<const char *, const char *>> configs) {
  std::vector<Identity> out;
  for (const auto &[strategy, options] : configs) out.push_back(identity_of(strategy, options));
  return out;
}

}  // namespace

TEST_CASE("compute-gil: each configuration against sequential of its workload and gil",
          "[analysis]") {
  const auto configs = ids({{"sequential", "workload=io gil=true"},
                            {"sequential", "workload=cpu gil=false"},
                            {"threads", "workers=4 lanes=false workload=cpu gil=false"},
                            {"threads", "workers=4 lanes=false workload=io gil=true"},
                            {"processes", "workers=4 workload=cpu gil=false"}});
  CHECK(baselines(configs) == std::vector<int>{0, 1, 1, 0, 1});
  const Labels labels = make_labels(configs);
  CHECK(labels.labels[0] == "sequential workload=io gil=true");
  CHECK(labels.labels[2] == "threads workers=4 workload=cpu gil=false");
  CHECK(labels.labels[4] == "processes workers=4 workload=cpu gil=false");
  CHECK(labels.constant == "threads: lanes=false");
  CHECK(find_sweeps(configs).empty());  // workers=4 only
}

TEST_CASE("a sweep without sequential compares with its smallest width", "[analysis]") {
  const auto configs = ids({{"threads", "workers=8"},
                            {"threads", "workers=1"},
                            {"threads", "workers=2"},
                            {"async", "concurrency=4 executor=inline"}});
  CHECK(baselines(configs) == std::vector<int>{1, 1, 1, -1});  // async: a group of one
  const auto sweeps = find_sweeps(configs);
  REQUIRE(sweeps.size() == 1);
  CHECK(sweeps[0].name == "threads");
  CHECK(sweeps[0].dimension == "workers");
  CHECK(sweeps[0].points == std::vector<std::pair<double, size_t>>{{1, 1}, {2, 2}, {8, 0}});
}

TEST_CASE("stall-demo: options of one plugin separate its configurations", "[analysis]") {
  const auto configs = ids({{"async", "concurrency=100 executor=inline executor_workers=0"},
                            {"async", "concurrency=100 executor=threads executor_workers=0"},
                            {"fibers", "fibers=100 stack_kb=64 cpu_offload=false"},
                            {"fibers", "fibers=100 stack_kb=64 cpu_offload=true"}});
  CHECK(baselines(configs) == std::vector<int>{-1, -1, -1, -1});
  const Labels labels = make_labels(configs);
  // executor_workers is a width, but a secondary one that does not vary.
  CHECK(labels.labels[0] == "async concurrency=100 executor=inline");
  CHECK(labels.labels[2] == "fibers fibers=100 cpu_offload=false");
  CHECK(labels.labels[3] == "fibers fibers=100 cpu_offload=true");
  CHECK(labels.constant == "async: executor_workers=0; fibers: stack_kb=64");
}

TEST_CASE("a plugin's own option does not separate it from sequential", "[analysis]") {
  const auto configs = ids({{"sequential", ""},
                            {"threads", "workers=8 lanes=false"},
                            {"async", "concurrency=16 executor=inline"}});
  CHECK(baselines(configs) == std::vector<int>{0, 0, 0});
}

TEST_CASE("context dimensions a scenario varies separate groups and show in labels", "[analysis]") {
  std::vector<Identity> configs = {identity_of("sequential", "", {{"seed", "1"}}),
                                   identity_of("threads", "workers=4", {{"seed", "1"}}),
                                   identity_of("sequential", "", {{"seed", "2"}}),
                                   identity_of("threads", "workers=4", {{"seed", "2"}})};
  CHECK(baselines(configs) == std::vector<int>{0, 0, 2, 2});
  CHECK(make_labels(configs).labels[3] == "threads workers=4 seed=2");
}

TEST_CASE("the baseline selector overrides the rule; malformed ones are refused", "[analysis]") {
  const auto configs =
      ids({{"sequential", ""}, {"threads", "workers=1"}, {"threads", "workers=4"}});
  CHECK(baselines(configs, parse_selector("threads workers=1")) == std::vector<int>{1, 1, 1});
  CHECK(baselines(configs, parse_selector("processes")) == std::vector<int>{-1, -1, -1});
  CHECK_THROWS_AS(parse_selector(""), std::invalid_argument);
  CHECK_THROWS_AS(parse_selector("workers=1"), std::invalid_argument);
  CHECK_THROWS_AS(parse_selector("threads workers"), std::invalid_argument);
}

TEST_CASE("labels stay unique when only a plugin option differs", "[analysis]") {
  const auto configs =
      ids({{"threads", "workers=4 lanes=false"}, {"threads", "workers=4 lanes=true"}});
  const Labels labels = make_labels(configs);
  CHECK(labels.labels[0] != labels.labels[1]);
  CHECK(labels.labels[1] == "threads workers=4 lanes=true");
}

TEST_CASE("configurations read grouped, sequential first, widths ascending, whatever ran first",
          "[analysis]") {
  // compute-gil's shuffled run order: grouped by workload and gil (every
  // configuration has them), then sequential, processes, threads.
  const auto gil = ids({{"threads", "workers=4 lanes=false workload=io gil=true"},
                        {"processes", "workers=4 workload=cpu gil=true"},
                        {"sequential", "workload=io gil=false"},
                        {"sequential", "workload=cpu gil=true"},
                        {"threads", "workers=4 lanes=false workload=cpu gil=true"},
                        {"sequential", "workload=io gil=true"}});
  CHECK(reading_order(gil) == std::vector<size_t>{3, 1, 4, 2, 5, 0});
  // A sweep: numbers as numbers (2 before 16), each strategy's widths ascending.
  const auto sweep = ids({{"threads", "workers=16"},
                          {"processes", "workers=2"},
                          {"threads", "workers=2"},
                          {"sequential", ""},
                          {"processes", "workers=16"}});
  CHECK(reading_order(sweep) == std::vector<size_t>{3, 1, 4, 2, 0});
  // Only a plugin's own option differs: ordered by it, deterministically.
  const auto lanes =
      ids({{"threads", "workers=4 lanes=true"}, {"threads", "workers=4 lanes=false"}});
  CHECK(reading_order(lanes) == std::vector<size_t>{1, 0});
  CHECK(reading_order({}).empty());
}
