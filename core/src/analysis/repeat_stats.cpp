#include "analysis/repeat_stats.hpp"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <numeric>

namespace concur::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Linear interpolation between closest ranks (R's type 7, numpy's default).
double quantile(const std::vector<double> &sorted, double q) {
  const double h = (static_cast<double>(sorted.size()) - 1) * q;
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

double t_975(size_t df) {
  if (df == 0) return kNaN;
  const boost::math::students_t distribution(static_cast<double>(df));
  return boost::math::quantile(distribution, 0.975);
}

SampleStats sample_stats(std::vector<double> xs) {
  SampleStats s;
  s.n = xs.size();
  if (xs.empty()) return s;
  std::sort(xs.begin(), xs.end());
  s.min = xs.front();
  s.max = xs.back();
  s.median = quantile(xs, 0.5);
  s.mean = std::accumulate(xs.begin(), xs.end(), 0.0) / static_cast<double>(s.n);
  if (s.n < 2) {
    s.ci_low = s.ci_high = kNaN;
    return s;
  }
  double squares = 0;
  for (double x : xs) squares += (x - s.mean) * (x - s.mean);
  s.stddev = std::sqrt(squares / static_cast<double>(s.n - 1));
  const double half = t_975(s.n - 1) * s.stddev / std::sqrt(static_cast<double>(s.n));
  // A quantity that cannot be negative (a wall time, a rate) has no negative
  // mean: with few, spread repeats the t interval would reach below 0 ("wall
  // 2.4 s [-0.48 – 5.4]"), so it stops at 0.
  s.ci_low = s.min >= 0 ? std::max(0.0, s.mean - half) : s.mean - half;
  s.ci_high = s.mean + half;
  if (s.n >= 4) {
    const double q1 = quantile(xs, 0.25), q3 = quantile(xs, 0.75), fence = 1.5 * (q3 - q1);
    s.outliers = static_cast<size_t>(std::count_if(
        xs.begin(), xs.end(), [&](double x) { return x < q1 - fence || x > q3 + fence; }));
  }
  return s;
}

Speedup speedup(const SampleStats &base, const SampleStats &x) {
  Speedup s;
  if (base.n == 0 || x.n == 0 || x.mean <= 0) return {kNaN, kNaN, kNaN};
  s.value = base.mean / x.mean;
  if (base.n < 2 || x.n < 2 || base.mean <= 0) {
    s.low = s.high = kNaN;
    return s;
  }
  const double rel_base = base.stddev / base.mean / std::sqrt(static_cast<double>(base.n));
  const double rel_x = x.stddev / x.mean / std::sqrt(static_cast<double>(x.n));
  const double half = t_975(std::min(base.n, x.n) - 1) * std::hypot(rel_base, rel_x);
  s.low = s.value * std::exp(-half);
  s.high = s.value * std::exp(half);
  return s;
}

}  // namespace concur::analysis
