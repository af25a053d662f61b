#include "results/stats.hpp"

#include <algorithm>
#include <cmath>

namespace concur::results {

double percentile(std::vector<double> &samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const double n = static_cast<double>(samples.size());
  // rank in 1..n; p = 0 gives the minimum.
  const auto rank = static_cast<size_t>(std::max(1.0, std::ceil(p / 100.0 * n)));
  return samples[std::min(rank, samples.size()) - 1];
}

LatencySummary summarize(std::vector<double> samples) {
  LatencySummary s;
  s.p50 = percentile(samples, 50);
  s.p90 = percentile(samples, 90);
  s.p99 = percentile(samples, 99);
  s.max = samples.empty() ? 0 : samples.back();
  s.samples = static_cast<long>(samples.size());
  return s;
}

}  // namespace concur::results
