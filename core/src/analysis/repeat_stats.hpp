// Statistics over the repeats of one configuration, in the manner of
// hyperfine and Google Benchmark: centre, spread, a 95% confidence interval of
// the mean (Student's t), speedup against a baseline with its interval, and
// outliers by Tukey's fences. Plain functions of the samples, so they are
// tested against figures computed by hand.
#pragma once

#include <cstddef>
#include <vector>

namespace concur::analysis {

struct SampleStats {
  size_t n = 0;
  double median = 0, mean = 0, stddev = 0, min = 0, max = 0;  // stddev: sample (n - 1)
  // mean ± t(0.975, n-1) · stddev / √n; with fewer than 2 samples there is no
  // interval and both ends are NaN.
  double ci_low = 0, ci_high = 0;
  size_t outliers = 0;  // outside [Q1 − 1.5·IQR, Q3 + 1.5·IQR]; 0 with fewer than 4 samples
};

SampleStats sample_stats(std::vector<double> samples);

// The two-sided 95% quantile of Student's t with `df` degrees of freedom
// (Boost.Math's students_t, to double precision); NaN for df = 0.
double t_975(size_t df);

struct Speedup {
  double value = 0;          // baseline mean / this mean (> 1: faster than the baseline)
  double low = 0, high = 0;  // 95% interval; NaN when either side has < 2 samples
};

// Speedup of `x` over `baseline`, both wall times. The interval comes from the
// delta method on the log of the ratio: the relative standard errors of the
// two means add in quadrature, and t takes the smaller side's degrees of
// freedom (conservative).
Speedup speedup(const SampleStats &baseline, const SampleStats &x);

}  // namespace concur::analysis
