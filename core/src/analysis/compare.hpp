// Two result sets, configuration by configuration: does NEW differ from BASE
// on a figure, and by how much? The medians, their ratio with a 95% interval
// (Hodges–Lehmann/Moses on the logarithms: exact for the sizes repeats give,
// and the interval excludes 1 exactly when the test says so), the Mann–Whitney
// p, and a verdict. `concur compare` prints it; CI gates on it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analysis/rank_test.hpp"

namespace concur::analysis {

// Whether a smaller value of a runs CSV column is the better one: times,
// latencies, CPU, memory, requests; pages_per_s, efficiency and speedups are
// better larger.
bool lower_is_better(const std::string &column);

struct Comparison {
  std::string configuration;  // strategy and options, as the runs CSV writes them
  size_t base_n = 0, new_n = 0;
  double base_median = 0, new_median = 0;
  double ratio = 0;                                   // new median / base median
  std::optional<std::pair<double, double>> interval;  // of new / base, 95%
  RankTest test;
  // "faster" (better by the metric's direction), "slower", "same" (no
  // significant difference, or one smaller than `min_change`), or "too few
  // repeats" (these sizes cannot reach p < 0.05: four runs on each side can).
  std::string verdict;
};

// Values must be positive (wall times, rates) for the ratio to mean anything;
// a non-positive one leaves the interval out.
// `min_change`: a significant difference smaller than this share of the
// base (0.02 = 2%) is "same": two back-to-back runs of one build on a shared
// machine drift by about that much, and a test at 5% would call it real in
// one comparison out of twenty.
Comparison compare(const std::string &configuration, const std::vector<double> &base,
                   const std::vector<double> &change, bool lower_better, double min_change = 0.02);

// "slower" or "slower:5%" (or "slower:5"): fail when a configuration is
// significantly slower by more than that share. Throws std::invalid_argument.
double parse_fail_on(const std::string &text);
// True when `c` is significantly worse by more than `share` (0.05 = 5%).
bool fails(const Comparison &c, double share, bool lower_better);

}  // namespace concur::analysis
