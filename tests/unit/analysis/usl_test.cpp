// The USL fit against synthetic throughput with known σ, κ and λ.
#include <catch2/catch.hpp>

#include <cmath>

#include "analysis/usl.hpp"

using namespace concur::analysis;

namespace {

std::vector<std::pair<double, double>> synthetic(double lambda, double sigma, double kappa,
                                                 double noise = 0) {
  std::vector<std::pair<double, double>> points;
  int k = 0;
  for (double n : {1, 2, 4, 8, 16, 32, 64}) {
    const double x = lambda * n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
    // Deterministic ±noise, alternating: no luck involved.
    points.emplace_back(n, x * (1 + ((k++ % 2) ? noise : -noise)));
  }
  return points;
}

}  // namespace

TEST_CASE("the fit recovers σ, κ and λ of exact data within 1%", "[analysis][usl]") {
  for (auto [sigma, kappa] : {std::pair{0.05, 0.001}, {0.2, 0.0001}, {0.01, 0.02}}) {
    const auto fit = fit_usl(synthetic(100, sigma, kappa));
    REQUIRE(fit);
    CHECK(fit->sigma == Approx(sigma).epsilon(0.01));
    CHECK(fit->kappa == Approx(kappa).epsilon(0.01));
    CHECK(fit->lambda == Approx(100).epsilon(0.01));
    CHECK(fit->peak_n == Approx(std::sqrt((1 - sigma) / kappa)).epsilon(0.01));
    CHECK(fit->r2 > 0.9999);
  }
}

TEST_CASE("Amdahl's curve (κ = 0) has no peak", "[analysis][usl]") {
  const auto fit = fit_usl(synthetic(50, 0.1, 0));
  REQUIRE(fit);
  CHECK(fit->sigma == Approx(0.1).epsilon(0.01));
  CHECK(fit->kappa < 1e-6);
  CHECK((std::isinf(fit->peak_n) || fit->peak_n > 1000));
}

TEST_CASE("noisy data still fits closely, σ and κ never negative", "[analysis][usl]") {
  const auto fit = fit_usl(synthetic(100, 0.05, 0.001, 0.03));
  REQUIRE(fit);
  CHECK(fit->sigma >= 0);
  CHECK(fit->kappa >= 0);
  CHECK(fit->r2 > 0.95);
  CHECK(fit->peak_n == Approx(std::sqrt(0.95 / 0.001)).epsilon(0.2));
  // Linear scaling: the best fit is σ = κ = 0, not a negative contention.
  const auto linear = fit_usl({{1, 10}, {2, 20.5}, {4, 40}, {8, 81}});
  REQUIRE(linear);
  CHECK(linear->sigma >= 0);
  CHECK(linear->kappa >= 0);
}

TEST_CASE("fewer than four widths, or a zero throughput, make no fit", "[analysis][usl]") {
  CHECK_FALSE(fit_usl({{1, 10}, {2, 18}, {4, 30}}));
  CHECK_FALSE(fit_usl({{1, 10}, {2, 18}, {2, 19}, {4, 30}}));
  CHECK_FALSE(fit_usl({{1, 10}, {2, 0}, {4, 30}, {8, 40}}));
}
