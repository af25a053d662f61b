// Statistics over repeats, against figures worked out by hand.
#include <catch2/catch.hpp>

#include <cmath>

#include "analysis/repeat_stats.hpp"
#include "analysis/summary_csv.hpp"

using namespace concur::analysis;

namespace {
RunFigures run(const char *strategy, const char *options, bool ok, double wall, double rate,
               double efficiency) {
  RunFigures f;
  f.experiment = "e";
  f.strategy = strategy;
  f.options = options;
  f.ok = ok;
  f.wall_s = wall;
  f.rate = rate;
  f.efficiency = efficiency;
  return f;
}
}  // namespace

TEST_CASE("mean, spread and the 95% interval of five samples, by hand", "[results][stats]") {
  // Samples 10.2 9.8 10.5 10.1 9.9: mean 10.1; deviations .1 -.3 .4 0 -.2, squares
  // sum to .30, / (n-1) = .075, stddev .273861; t(.975, 4) = 2.776445, so the half
  // width is 2.776445 × .273861 / √5 = .340044 and the interval [9.759956, 10.440044].
  const SampleStats s = sample_stats({10.2, 9.8, 10.5, 10.1, 9.9});
  CHECK(s.n == 5);
  CHECK(s.mean == Approx(10.1));
  CHECK(s.median == Approx(10.1));
  CHECK(s.min == Approx(9.8));
  CHECK(s.max == Approx(10.5));
  CHECK(s.stddev == Approx(0.273861).epsilon(1e-5));
  CHECK(s.ci_low == Approx(9.759956).epsilon(1e-6));
  CHECK(s.ci_high == Approx(10.440044).epsilon(1e-6));
  CHECK(s.outliers == 0);
}

TEST_CASE("an even count's median is the midpoint; one sample has no interval",
          "[results][stats]") {
  CHECK(sample_stats({4, 1, 3, 2}).median == Approx(2.5));
  const SampleStats one = sample_stats({7});
  CHECK(one.mean == 7);
  CHECK(one.stddev == 0);
  CHECK(std::isnan(one.ci_low));
  CHECK(std::isnan(one.ci_high));
  CHECK(sample_stats({}).n == 0);
}

TEST_CASE("the interval of a quantity that cannot be negative stops at 0", "[results][stats]") {
  // Two wall times 1 and 4: mean 2.5, s 2.121, t(1) 12.706, half 19.06 s.
  const SampleStats wall = sample_stats({1, 4});
  CHECK(wall.ci_low == 0);
  CHECK(wall.ci_high == Approx(2.5 + 12.7062 * 2.12132 / std::sqrt(2.0)).epsilon(1e-4));
  // A quantity with a negative sample keeps its t interval on both sides.
  CHECK(sample_stats({-1, 4}).ci_low ==
        Approx(1.5 - 12.7062 * 3.53553 / std::sqrt(2.0)).epsilon(1e-4));
}

TEST_CASE("Tukey's fences flag the outlier", "[results][stats]") {
  // 1 2 3 4 100: Q1 = 2, Q3 = 4 (linear interpolation), IQR 2, fences [-1, 7].
  CHECK(sample_stats({1, 2, 3, 4, 100}).outliers == 1);
  CHECK(sample_stats({1, 2, 3, 4, 5}).outliers == 0);
  CHECK(sample_stats({1, 2, 100}).outliers == 0);  // too few to say
}

TEST_CASE("Student's t quantiles match the tables", "[results][stats]") {
  // Two-sided 95% (the 0.975 quantile), as printed in every table of t: to
  // three decimals, rounded.
  CHECK(t_975(1) == Approx(12.706).margin(0.0005));
  CHECK(t_975(2) == Approx(4.303).margin(0.0005));
  CHECK(t_975(4) == Approx(2.776).margin(0.0005));
  CHECK(t_975(10) == Approx(2.228).margin(0.0005));
  CHECK(t_975(30) == Approx(2.042).margin(0.0005));
  CHECK(t_975(40) == Approx(2.021).margin(0.0005));
  CHECK(t_975(100) == Approx(1.984).margin(0.0005));
  CHECK(t_975(120) == Approx(1.980).margin(0.0005));
  // To more digits than tables give.
  CHECK(t_975(4) == Approx(2.7764451052).epsilon(1e-9));
  CHECK(t_975(1'000'000) == Approx(1.9599663568).epsilon(1e-9));  // the normal's 1.959964
  CHECK(std::isnan(t_975(0)));
}

TEST_CASE("speedup over a baseline, with its interval, by hand", "[results][stats]") {
  // Baseline as above (mean 10.1, stddev .273861); x: 5.1 4.9 5.0 5.2 4.8, mean 5.0,
  // stddev .158114. Speedup 10.1 / 5 = 2.02. Relative standard errors
  // .273861/10.1/√5 = .012126 and .158114/5/√5 = .014142, in quadrature .018629;
  // × t(4) 2.776445 = .051723; interval 2.02 · e^∓.051723 = [1.918176, 2.127229].
  const SampleStats base = sample_stats({10.2, 9.8, 10.5, 10.1, 9.9});
  const SampleStats x = sample_stats({5.1, 4.9, 5.0, 5.2, 4.8});
  const Speedup up = speedup(base, x);
  CHECK(up.value == Approx(2.02));
  CHECK(up.low == Approx(1.918176).epsilon(1e-6));
  CHECK(up.high == Approx(2.127229).epsilon(1e-6));
  CHECK(speedup(base, base).value == Approx(1.0));
  CHECK(std::isnan(speedup(base, sample_stats({5})).low));
}

TEST_CASE("the summary groups runs by configuration; only ok runs count", "[results][stats]") {
  std::vector<RunFigures> runs = {
      run("sequential", "", true, 10.0, 100, 0.5), run("threads", "workers=4", true, 2.0, 500, 0.9),
      run("sequential", "", true, 12.0, 80, 0.4), run("threads", "workers=4", false, 99, 1, 0.1),
      run("threads", "workers=4", true, 3.0, 400, 0.8)};
  const auto rows = summary_rows(analyse(runs));
  REQUIRE(rows.size() == 2);
  const auto header = summary_header();
  auto col = [&](const std::vector<std::string> &row, const std::string &name) {
    return row.at(std::find(header.begin(), header.end(), name) - header.begin());
  };
  CHECK(col(rows[0], "strategy") == "sequential");
  CHECK(col(rows[0], "runs") == "2");
  CHECK(col(rows[0], "wall_s_median") == "11.000000");
  CHECK(col(rows[0], "speedup") == "1.0000");
  CHECK(col(rows[1], "runs") == "3");
  CHECK(col(rows[1], "runs_ok") == "2");  // the failed run is left out
  CHECK(col(rows[1], "wall_s_mean") == "2.500000");
  CHECK(col(rows[1], "speedup") == "4.4000");  // 11 / 2.5
  CHECK(col(rows[1], "baseline") == "sequential");
  CHECK(summary_path_for("results/x.csv") == "results/x.summary.csv");
  CHECK(summary_path_for("out") == "out.summary.csv");
}
