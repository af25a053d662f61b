// The Mann–Whitney test and the Moses interval against values from the
// textbook tables (Hollander & Wolfe; the U distribution for small sizes).
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "analysis/compare.hpp"
#include "analysis/rank_test.hpp"

using namespace concur::analysis;

TEST_CASE("exact U and two-sided p for small samples", "[analysis][compare]") {
  // Complete separation of 4 and 4: U = 16 (or 0), p = 2 / C(8,4) = 2/70.
  RankTest t = mann_whitney({1, 2, 3, 4}, {5, 6, 7, 8});
  CHECK(t.exact);
  CHECK(t.u == 16);
  CHECK(t.p == Approx(2.0 / 70));
  CHECK(mann_whitney({5, 6, 7, 8}, {1, 2, 3, 4}).u == 0);
  // 3 and 3, one swap from separation: P(U <= 1) = 2/20, two-sided 0.2.
  t = mann_whitney({1, 2, 4}, {3, 5, 6});
  CHECK(t.u == 8);
  CHECK(t.p == Approx(0.2));
  // 5 and 5: y beats x in 4 + 4 + 5 + 5 + 5 = 23 pairs of 25. P(U >= 23) =
  // P(U <= 2) = (1 + 1 + 2) / C(10,5) = 4/252, two-sided 8/252.
  t = mann_whitney({1, 2, 3, 4, 7}, {5, 6, 8, 9, 10});
  CHECK(t.u == 23);
  CHECK(t.p == Approx(8.0 / 252));
  // Ties: the normal approximation, never exact.
  CHECK_FALSE(mann_whitney({1, 2, 2}, {2, 3, 4}).exact);
}

TEST_CASE("the smallest reachable p decides 'too few repeats'", "[analysis][compare]") {
  CHECK(smallest_p(3, 3) == Approx(0.1));
  CHECK(smallest_p(4, 4) == Approx(2.0 / 70));
  CHECK(smallest_p(2, 10) == Approx(2.0 / 66));
  CHECK(compare("x", {1, 1.1, 1.2}, {2, 2.1, 2.2}, true).verdict == "too few repeats");
}

TEST_CASE("the Moses interval of a shift, and the verdicts", "[analysis][compare]") {
  // 4 and 4: the 5% test keeps every shift between the smallest and the largest
  // pairwise difference (c = 0: P(U <= 0) = 1/70 <= 2.5% < P(U <= 1)).
  const auto shift = shift_interval({1, 2, 3, 4}, {11, 12, 13, 14});
  REQUIRE(shift);
  CHECK(shift->first == Approx(7));
  CHECK(shift->second == Approx(13));
  CHECK_FALSE(shift_interval({1, 2, 3}, {4, 5, 6}));
  const Comparison slower = compare("x", {1.0, 1.01, 0.99, 1.02}, {1.5, 1.52, 1.49, 1.51}, true);
  CHECK(slower.verdict == "slower");
  CHECK(slower.ratio == Approx(1.505 / 1.005));
  REQUIRE(slower.interval);
  CHECK(slower.interval->first > 1);
  CHECK(fails(slower, 0.05, true));
  CHECK_FALSE(fails(slower, 0.60, true));
  // Higher is better for a rate: the same numbers are faster.
  CHECK(compare("x", {1.0, 1.01, 0.99, 1.02}, {1.5, 1.52, 1.49, 1.51}, false).verdict == "faster");
  // Significant but under the 2% floor: same.
  CHECK(compare("x", {1.0, 1.001, 1.002, 1.003}, {1.01, 1.011, 1.012, 1.013}, true).verdict ==
        "same");
  CHECK(parse_fail_on("slower") == 0);
  CHECK(parse_fail_on("slower:5%") == Approx(0.05));
  CHECK_THROWS_AS(parse_fail_on("faster"), std::invalid_argument);
  CHECK_THROWS_AS(parse_fail_on("slower:x"), std::invalid_argument);
}

TEST_CASE("on synthetic data the 95% interval covers the true ratio, and 'same' holds its 5%",
          "[analysis][compare]") {
  // Log-normal timings (5% spread), 5 repeats a side, 2000 seeded trials. The
  // Moses interval's coverage for 5 and 5 is exact: 1 - 2 P(U <= 2) = 1 - 8/252
  // = 0.968; the test's false alarms under no change at most 8/252 = 0.032.
  // Bounds: those values, give or take 4 standard errors of 2000 trials.
  std::mt19937_64 rng(20261205);
  auto normal = [&rng] {  // Box–Muller, portable (std::normal_distribution is not)
    const double u1 = (static_cast<double>(rng() >> 11) + 0.5) / 9007199254740992.0;
    const double u2 = static_cast<double>(rng() >> 11) / 9007199254740992.0;
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  };
  auto sample = [&](double scale) {
    std::vector<double> v;
    for (int i = 0; i < 5; ++i) v.push_back(scale * std::exp(0.05 * normal()));
    return v;
  };
  const int trials = 2000;
  int covered = 0, alarms = 0;
  for (int t = 0; t < trials; ++t) {
    const Comparison shifted = compare("x", sample(1.0), sample(1.2), true, 0);
    REQUIRE(shifted.interval);
    covered += shifted.interval->first <= 1.2 && 1.2 <= shifted.interval->second;
    alarms += compare("x", sample(1.0), sample(1.0), true, 0).verdict != "same";
  }
  const double coverage = static_cast<double>(covered) / trials;
  const double false_alarms = static_cast<double>(alarms) / trials;
  INFO("coverage " << coverage << ", false alarms " << false_alarms);
  CHECK(coverage == Approx(1 - 8.0 / 252).margin(4 * std::sqrt(0.032 * 0.968 / trials)));
  CHECK(false_alarms == Approx(8.0 / 252).margin(4 * std::sqrt(0.032 * 0.968 / trials)));
}
