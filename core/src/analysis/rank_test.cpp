#include "analysis/rank_test.hpp"

#include <algorithm>
#include <cmath>

namespace concur::analysis {
namespace {

// counts[u]: how many of the C(m+n, m) orderings give U = u, by the
// recurrence f(m, n, u) = f(m − 1, n, u − n) + f(m, n − 1, u) (no ties).
std::vector<double> u_counts(size_t m, size_t n) {
  // table[i][j] is the distribution for sizes (i, j), each a vector over u.
  std::vector<std::vector<std::vector<double>>> table(m + 1,
                                                      std::vector<std::vector<double>>(n + 1));
  for (size_t i = 0; i <= m; ++i)
    for (size_t j = 0; j <= n; ++j) {
      std::vector<double> &f = table[i][j];
      f.assign(i * j + 1, 0);
      if (i == 0 || j == 0) {
        f[0] = 1;
        continue;
      }
      // The largest of all i + j values is from the first sample (adds 0 to
      // U of the second) or from the second (adds i: it beats every x).
      const auto &a = table[i - 1][j], &b = table[i][j - 1];
      for (size_t u = 0; u < a.size(); ++u) f[u] += a[u];
      for (size_t u = 0; u < b.size(); ++u) f[u + i] += b[u];
    }
  return table[m][n];
}

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

}  // namespace

double smallest_p(size_t m, size_t n) {
  double ways = 1;  // C(m+n, m)
  for (size_t k = 1; k <= m; ++k) ways = ways * static_cast<double>(n + k) / static_cast<double>(k);
  return std::min(1.0, 2 / ways);
}

RankTest mann_whitney(const std::vector<double> &x, const std::vector<double> &y) {
  RankTest t;
  const size_t m = x.size(), n = y.size();
  if (m == 0 || n == 0) return t;
  bool ties = false;
  for (double a : x)
    for (double b : y) {
      if (b > a) t.u += 1;
      if (b == a) {
        t.u += 0.5;
        ties = true;
      }
    }
  if (!ties && m + n <= 60) {
    const std::vector<double> counts = u_counts(m, n);
    double total = 0, below = 0, above = 0;
    for (size_t u = 0; u < counts.size(); ++u) {
      total += counts[u];
      if (static_cast<double>(u) <= t.u) below += counts[u];
      if (static_cast<double>(u) >= t.u) above += counts[u];
    }
    t.p = std::min(1.0, 2 * std::min(below, above) / total);
    t.exact = true;
    return t;
  }
  // Normal approximation with a continuity correction (ties shrink the
  // variance a little; ignoring that is conservative).
  const double mean = static_cast<double>(m * n) / 2;
  const double sd = std::sqrt(static_cast<double>(m * n * (m + n + 1)) / 12);
  const double z = (std::abs(t.u - mean) - 0.5) / sd;
  t.p = std::min(1.0, 2 * (1 - normal_cdf(std::max(0.0, z))));
  return t;
}

std::optional<std::pair<double, double>> shift_interval(const std::vector<double> &x,
                                                        const std::vector<double> &y) {
  const size_t m = x.size(), n = y.size();
  if (m == 0 || n == 0 || smallest_p(m, n) >= 0.05 || m + n > 60) return std::nullopt;
  // The shifts the two-sided test at 5% keeps: with c the largest U of
  // P(U ≤ c) ≤ 2.5% (`tail` = c + 1 values of U), the differences d sorted,
  // [d[c], d[mn − c − 1]] (0-based) — Hollander & Wolfe's C_α.
  const std::vector<double> counts = u_counts(m, n);
  double total = 0;
  for (double c : counts) total += c;
  size_t tail = 0;
  double below = 0;
  while (tail < counts.size() && (below + counts[tail]) / total <= 0.025) below += counts[tail++];
  std::vector<double> d;
  for (double a : x)
    for (double b : y) d.push_back(b - a);
  std::sort(d.begin(), d.end());
  if (tail == 0) return std::nullopt;
  const size_t c = tail - 1;
  return std::make_pair(d[c], d[d.size() - c - 1]);
}

}  // namespace concur::analysis
