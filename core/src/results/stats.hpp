// Exact statistics over every sample kept (runs are small enough to keep them).
#pragma once

#include <vector>

namespace concur::results {

// Nearest-rank percentile: the smallest sample with at least p% of the samples
// at or below it (p in [0, 100]). 0 for no samples. Sorts `samples` in place.
double percentile(std::vector<double> &samples, double p);

struct LatencySummary {
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
  long samples = 0;  // none: the CSV leaves the percentiles blank
};
LatencySummary summarize(std::vector<double> samples);

}  // namespace concur::results
