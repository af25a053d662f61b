// The Mann–Whitney U test and the interval that goes with it (Hodges–Lehmann,
// Moses), for two small samples of a run's figure: no assumption of normal
// timings, and exact for the sample sizes repeats give. What `concur compare`
// decides with.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace concur::analysis {

struct RankTest {
  double u = 0;        // U of the second sample: pairs (x, y) with y > x, ties ½
  double p = 1;        // two-sided
  bool exact = false;  // from the exact distribution (no ties, m + n ≤ 60), else normal
};
RankTest mann_whitney(const std::vector<double> &x, const std::vector<double> &y);

// The smallest two-sided p any outcome can reach with samples of m and n:
// 2 / C(m+n, m). Above 0.05, no difference can be significant.
double smallest_p(size_t m, size_t n);

// The 95% interval of the shift y − x (Moses: the pairwise differences between
// the exact U test's critical ranks); none when the sizes cannot reach p < 0.05.
std::optional<std::pair<double, double>> shift_interval(const std::vector<double> &x,
                                                        const std::vector<double> &y);

}  // namespace concur::analysis
