// Multi-lane md5 against the one-chain path (OpenSSL): bit for bit, at every
// level this CPU runs, for random seeds and iteration counts.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "hash/md5_chain.hpp"
#include "hash/md5_lanes.hpp"

using namespace concur::hash;

namespace {

std::vector<std::string> random_seeds(std::mt19937_64 &rng, size_t count) {
  std::uniform_int_distribution<int> length(0, 80), byte(1, 255);
  std::vector<std::string> seeds(count);
  for (auto &seed : seeds) {
    seed.resize(static_cast<size_t>(length(rng)));
    for (auto &c : seed) c = static_cast<char>(byte(rng));
  }
  return seeds;
}

void check_level(Lanes lanes, const std::vector<std::string> &seeds, uint64_t iterations,
                 Rule rule) {
  const auto got = chains(seeds, iterations, rule, lanes);
  REQUIRE(got.size() == seeds.size());
  for (size_t i = 0; i < seeds.size(); ++i) {
    INFO(lanes_name(lanes) << " " << rule_name(rule) << " iterations " << iterations << " chain "
                           << i << " of " << seeds.size());
    CHECK(got[i] == chain(seeds[i], iterations, rule));
  }
}

}  // namespace

TEST_CASE("every lane level equals OpenSSL's chain, bit for bit", "[hash][lanes]") {
  std::mt19937_64 rng(20261127);
  const auto levels = available_lanes();
  REQUIRE(levels.front() == Lanes::scalar);
  // Counts around the lane widths; iterations across the counter's digit
  // boundaries (9 -> 10, 99 -> 100, 999 -> 1000), and 0 and 1.
  for (Lanes lanes : levels) {
    for (size_t count : {1, 3, 4, 5, 8, 9, 16, 17, 33}) {
      const auto seeds = random_seeds(rng, count);
      for (uint64_t iterations : {0, 1, 2, 9, 10, 11, 99, 100, 101, 1000, 1001, 1234})
        for (Rule rule : {Rule::indexed, Rule::plain}) check_level(lanes, seeds, iterations, rule);
    }
  }
}

TEST_CASE("lanes agree past the kernels' 256-step rounds and on five-digit counters",
          "[hash][lanes]") {
  std::mt19937_64 rng(7);
  const auto seeds = random_seeds(rng, 19);
  for (Lanes lanes : available_lanes()) check_level(lanes, seeds, 20'011, Rule::indexed);
}

TEST_CASE("the known answers hold through the widest lanes", "[hash][lanes]") {
  const std::vector<std::string> seeds(5, "abc");
  for (const auto &r : chains(seeds, 1000, Rule::indexed))
    CHECK(r == "c423e7d0d6081f837a4b4bc82551d122");
  for (const auto &r : chains(seeds, 1000, Rule::plain))
    CHECK(r == "2968f4b0e89959305d29d161ecf41519");
}

TEST_CASE("lane levels have names, widths, and refuse what the CPU lacks", "[hash][lanes]") {
  for (Lanes l : {Lanes::scalar, Lanes::sse2, Lanes::avx2, Lanes::avx512})
    CHECK(parse_lanes(lanes_name(l)) == l);
  CHECK_FALSE(parse_lanes("avx3").has_value());
  CHECK(lane_width(Lanes::avx512) == 16);
  CHECK(best_lanes() == available_lanes().back());
  CHECK(lanes_for(1) == Lanes::scalar);  // one chain: no vector beats the scalar path
  const auto levels = available_lanes();
  if (std::find(levels.begin(), levels.end(), Lanes::avx512) == levels.end())
    CHECK_THROWS_AS(chains({"a"}, 2, Rule::indexed, Lanes::avx512), std::invalid_argument);
}

TEST_CASE("the cheapest level is the one that finishes soonest", "[hash][lanes]") {
  // Step costs measured on two CPUs (ns): on the Xeon an AVX-512 step costs
  // less than an SSE2 one, on the EPYC more.
  const std::vector<LaneCost> xeon = {
      {Lanes::scalar, 80}, {Lanes::sse2, 156}, {Lanes::avx2, 176}, {Lanes::avx512, 135}};
  CHECK(cheapest_lanes(1, xeon) == Lanes::scalar);
  CHECK(cheapest_lanes(2, xeon) == Lanes::avx512);
  CHECK(cheapest_lanes(4, xeon) == Lanes::avx512);
  CHECK(cheapest_lanes(40, xeon) == Lanes::avx512);
  const std::vector<LaneCost> epyc = {
      {Lanes::scalar, 76}, {Lanes::sse2, 162}, {Lanes::avx2, 174}, {Lanes::avx512, 202}};
  CHECK(cheapest_lanes(2, epyc) == Lanes::scalar);  // 152 ns against 162
  CHECK(cheapest_lanes(3, epyc) == Lanes::sse2);
  CHECK(cheapest_lanes(4, epyc) == Lanes::sse2);
  CHECK(cheapest_lanes(5, epyc) == Lanes::avx2);     // one 8-lane step against two 4-lane
  CHECK(cheapest_lanes(9, epyc) == Lanes::avx512);   // 202 against two 8-lane steps
  CHECK(cheapest_lanes(17, epyc) == Lanes::avx512);  // 404 against three 8-lane steps
  // A tie goes to the narrower level; a level not listed is never chosen.
  CHECK(cheapest_lanes(2, {{Lanes::scalar, 100}, {Lanes::sse2, 200}}) == Lanes::scalar);
  CHECK(cheapest_lanes(64, {{Lanes::scalar, 100}, {Lanes::sse2, 200}}) == Lanes::sse2);
}

TEST_CASE("lanes_for uses this machine's measured costs", "[hash][lanes]") {
  const auto &costs = lane_costs();
  const auto levels = available_lanes();
  REQUIRE(costs.size() == levels.size());
  for (size_t i = 0; i < costs.size(); ++i) {
    INFO(lanes_name(costs[i].lanes) << " " << costs[i].step_ns << " ns a step");
    CHECK(costs[i].lanes == levels[i]);
    CHECK(costs[i].step_ns > 0);
    CHECK(std::isfinite(costs[i].step_ns));
  }
  for (size_t count = 2; count <= 40; ++count)
    CHECK(lanes_for(count) == cheapest_lanes(count, costs));
}
