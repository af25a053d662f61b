// The order runs go in: every (configuration, repeat) once, baselines first
// in every round, and a shuffled order fixed by its seed.
#include "experiment/schedule.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <utility>

using concur::experiment::RunOrder;
using concur::experiment::schedule;
using concur::experiment::Slot;

namespace {

std::vector<std::pair<size_t, int>> pairs(const std::vector<Slot> &slots) {
  std::vector<std::pair<size_t, int>> out;
  for (const Slot &s : slots) out.emplace_back(s.run, s.repeat);
  return out;
}

// Each run's baseline (another run) went earlier in the same repeat.
bool baselines_first(const std::vector<Slot> &slots, const std::vector<int> &baselines) {
  std::set<std::pair<size_t, int>> done;
  for (const Slot &s : slots) {
    const int base = baselines[s.run];
    if (base >= 0 && static_cast<size_t>(base) != s.run &&
        done.count({static_cast<size_t>(base), s.repeat}) == 0)
      return false;
    done.insert({s.run, s.repeat});
  }
  return true;
}

}  // namespace

TEST_CASE("interleaved and grouped keep the plan's order", "[experiment][order]") {
  const std::vector<int> none = {-1, -1, -1};
  using P = std::vector<std::pair<size_t, int>>;
  CHECK(pairs(schedule(RunOrder::interleaved, none, 2, 1)) ==
        P{{0, 1}, {1, 1}, {2, 1}, {0, 2}, {1, 2}, {2, 2}});
  CHECK(pairs(schedule(RunOrder::grouped, none, 2, 1)) ==
        P{{0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 1}, {2, 2}});
  // A baseline listed last still goes first.
  const std::vector<int> last = {2, 2, 2};
  CHECK(pairs(schedule(RunOrder::interleaved, last, 1, 1)) == P{{2, 1}, {0, 1}, {1, 1}});
  CHECK(pairs(schedule(RunOrder::grouped, last, 2, 1)) ==
        P{{2, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 1}, {1, 2}});
}

TEST_CASE("shuffled: every run once per round, baselines first, fixed by the seed",
          "[experiment][order]") {
  // Two groups: 0 is the baseline of 1-3, 4 of 5-7.
  const std::vector<int> baselines = {0, 0, 0, 0, 4, 4, 4, 4};
  const int repeat = 20;
  const auto slots = schedule(RunOrder::shuffled, baselines, repeat, 42);
  REQUIRE(slots.size() == baselines.size() * repeat);
  CHECK(baselines_first(slots, baselines));
  std::set<std::vector<size_t>> rounds;
  for (int rep = 1; rep <= repeat; ++rep) {
    std::vector<size_t> round;
    for (const Slot &s : slots)
      if (s.repeat == rep) round.push_back(s.run);
    CHECK(std::set<size_t>(round.begin(), round.end()).size() == baselines.size());
    rounds.insert(round);
  }
  // Each round drawn anew: 20 rounds of 8 runs in 2,520 admissible orders
  // repeat one another only by chance (and rarely).
  CHECK(rounds.size() >= 15);
  // Who goes first varies: not always the same baseline.
  std::set<size_t> firsts;
  for (int rep = 0; rep < repeat; ++rep) firsts.insert(slots[rep * baselines.size()].run);
  CHECK(firsts == std::set<size_t>{0, 4});
  CHECK(pairs(schedule(RunOrder::shuffled, baselines, repeat, 42)) == pairs(slots));
  CHECK(pairs(schedule(RunOrder::shuffled, baselines, repeat, 43)) != pairs(slots));
}
