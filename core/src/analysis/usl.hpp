// The Universal Scalability Law (Gunther): throughput at concurrency N is
//   X(N) = λN / (1 + σ(N−1) + κN(N−1))
// λ the throughput of one, σ contention (the share of work that serialises:
// Amdahl's law is κ = 0), κ coherency (the cost of keeping N workers in
// agreement, which makes throughput fall past a peak N* = √((1−σ)/κ)).
#pragma once

#include <optional>
#include <utility>
#include <vector>

namespace concur::analysis {

struct UslFit {
  double lambda = 0, sigma = 0, kappa = 0;
  double r2 = 0;      // 1 − SSE/SST of throughput
  double peak_n = 0;  // √((1−σ)/κ); +inf when κ = 0 (no peak), 1 when σ ≥ 1
  size_t points = 0;
  double throughput(double n) const;
};

// The least-squares fit (squared error of X, σ and κ ≥ 0) to (N, X) points;
// nothing with fewer than 4 distinct N or a non-positive N or X. λ has a
// closed form given σ and κ, so the search is over (σ, κ) only: started from
// the linearised fit (N/X is a quadratic in N) and refined by Nelder–Mead.
std::optional<UslFit> fit_usl(const std::vector<std::pair<double, double>> &points);

}  // namespace concur::analysis
