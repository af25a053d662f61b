#include "analysis/usl.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <set>

namespace concur::analysis {
namespace {

using Points = std::vector<std::pair<double, double>>;

double shape(double n, double sigma, double kappa) {
  return n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
}

// λ minimising the squared error for this σ, κ (linear in λ), and that error.
std::pair<double, double> best_lambda(const Points &points, double sigma, double kappa) {
  double xf = 0, ff = 0;
  for (const auto &[n, x] : points) {
    const double f = shape(n, sigma, kappa);
    xf += x * f;
    ff += f * f;
  }
  const double lambda = ff > 0 ? xf / ff : 0;
  double sse = 0;
  for (const auto &[n, x] : points) {
    const double r = x - lambda * shape(n, sigma, kappa);
    sse += r * r;
  }
  return {lambda, sse};
}

// N/X = (1 − σ + (σ − κ)N + κN²)/λ: a quadratic a + bN + cN² by linear least
// squares (3×3 normal equations, Cramer's rule), read back as σ, κ.
std::array<double, 2> linearised(const Points &points) {
  double m[3][4] = {};
  for (const auto &[n, x] : points) {
    const double basis[3] = {1, n, n * n}, y = n / x;
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) m[r][c] += basis[r] * basis[c];
      m[r][3] += basis[r] * y;
    }
  }
  auto det = [&](int replace) {
    auto at = [&](int r, int c) { return m[r][c == replace ? 3 : c]; };
    return at(0, 0) * (at(1, 1) * at(2, 2) - at(1, 2) * at(2, 1)) -
           at(0, 1) * (at(1, 0) * at(2, 2) - at(1, 2) * at(2, 0)) +
           at(0, 2) * (at(1, 0) * at(2, 1) - at(1, 1) * at(2, 0));
  };
  const double d = det(-1);
  if (std::abs(d) < 1e-300) return {0, 0};
  const double a = det(0) / d, b = det(1) / d, c = det(2) / d;
  const double one_over_lambda = a + b + c;  // N/X at N = 1
  if (!(one_over_lambda > 0)) return {0, 0};
  const double kappa = c / one_over_lambda, sigma = b / one_over_lambda + kappa;
  return {std::max(0.0, sigma), std::max(0.0, kappa)};
}

// Nelder–Mead over (√σ, √κ): squares keep both ≥ 0 without a boundary.
std::array<double, 2> refine(const Points &points, std::array<double, 2> start) {
  auto error = [&](const std::array<double, 2> &p) {
    return best_lambda(points, p[0] * p[0], p[1] * p[1]).second;
  };
  std::array<std::array<double, 2>, 3> simplex = {
      {{std::sqrt(start[0]), std::sqrt(start[1])}, {}, {}}};
  for (int restart = 0; restart < 4; ++restart) {
    simplex[1] = {simplex[0][0] + 0.05, simplex[0][1]};
    simplex[2] = {simplex[0][0], simplex[0][1] + 0.01};
    std::array<double, 3> f = {error(simplex[0]), error(simplex[1]), error(simplex[2])};
    for (int step = 0; step < 2000; ++step) {
      std::array<int, 3> order = {0, 1, 2};
      std::sort(order.begin(), order.end(), [&](int a, int b) { return f[a] < f[b]; });
      const int best = order[0], mid = order[1], worst = order[2];
      if (f[worst] - f[best] <= 1e-15 * (1 + f[best])) break;
      std::array<double, 2> centre, reflected, moved;
      for (int k = 0; k < 2; ++k) {
        centre[k] = (simplex[best][k] + simplex[mid][k]) / 2;
        reflected[k] = 2 * centre[k] - simplex[worst][k];
      }
      const double fr = error(reflected);
      if (fr < f[best]) {
        for (int k = 0; k < 2; ++k) moved[k] = 3 * centre[k] - 2 * simplex[worst][k];
        const double fe = error(moved);
        simplex[worst] = fe < fr ? moved : reflected;
        f[worst] = std::min(fe, fr);
      } else if (fr < f[mid]) {
        simplex[worst] = reflected;
        f[worst] = fr;
      } else {
        for (int k = 0; k < 2; ++k) moved[k] = (centre[k] + simplex[worst][k]) / 2;
        const double fc = error(moved);
        if (fc < f[worst]) {
          simplex[worst] = moved;
          f[worst] = fc;
        } else {
          for (int v : {mid, worst}) {
            for (int k = 0; k < 2; ++k) simplex[v][k] = (simplex[v][k] + simplex[best][k]) / 2;
            f[v] = error(simplex[v]);
          }
        }
      }
    }
    const int best = static_cast<int>(std::min_element(f.begin(), f.end()) - f.begin());
    simplex[0] = simplex[best];
  }
  return {simplex[0][0] * simplex[0][0], simplex[0][1] * simplex[0][1]};
}

}  // namespace

double UslFit::throughput(double n) const {
  return lambda * shape(n, sigma, kappa);
}

std::optional<UslFit> fit_usl(const Points &points) {
  std::set<double> distinct;
  for (const auto &[n, x] : points) {
    if (!(n > 0) || !(x > 0)) return std::nullopt;
    distinct.insert(n);
  }
  if (distinct.size() < 4) return std::nullopt;
  const auto [sigma, kappa] = refine(points, linearised(points));
  UslFit fit;
  fit.sigma = sigma;
  fit.kappa = kappa;
  fit.lambda = best_lambda(points, sigma, kappa).first;
  fit.points = points.size();
  // A κ so small that the peak lies beyond a million is no peak anyone reaches.
  fit.peak_n = sigma >= 1                                ? 1
               : kappa > 0 && (1 - sigma) / kappa < 1e12 ? std::sqrt((1 - sigma) / kappa)
                                                         : std::numeric_limits<double>::infinity();
  double mean = 0;
  for (const auto &point : points) mean += point.second / static_cast<double>(points.size());
  double sse = 0, sst = 0;
  for (const auto &[n, x] : points) {
    sse += (x - fit.throughput(n)) * (x - fit.throughput(n));
    sst += (x - mean) * (x - mean);
  }
  fit.r2 = sst > 0 ? 1 - sse / sst : 1;
  return fit;
}

}  // namespace concur::analysis
