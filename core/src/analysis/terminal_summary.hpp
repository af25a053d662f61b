// The summary printed after an experiment's runs when it repeats them
// (hyperfine's manner): per configuration the median wall time, the 95%
// interval of the mean, the speedup over its baseline with its interval, and
// a line per USL fit.
#pragma once

#include <ostream>

#include "analysis/analysis.hpp"

namespace concur::analysis {

void print_repeat_summary(std::ostream &out, const Analysis &analysis);

// "σ 0.0312 (contention), κ 0.000120 (coherency), λ 41.2 pages/s, peak
// N* = 88, R² 0.974": one fit, in words a reader can check.
std::string describe_usl(const UslFit &fit, const std::string &rate_unit);

}  // namespace concur::analysis
