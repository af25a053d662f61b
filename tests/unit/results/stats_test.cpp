#include <catch2/catch.hpp>

#include "results/stats.hpp"

using concur::results::percentile;
using concur::results::summarize;

TEST_CASE("nearest-rank percentiles are exact", "[results]") {
  std::vector<double> s = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};  // 1..10 shuffled
  CHECK(percentile(s, 50) == 5);
  CHECK(percentile(s, 90) == 9);
  CHECK(percentile(s, 91) == 10);
  CHECK(percentile(s, 100) == 10);
  CHECK(percentile(s, 0) == 1);
  std::vector<double> none;
  CHECK(percentile(none, 50) == 0);
}

TEST_CASE("a summary has p50, p90, p99 and the maximum", "[results]") {
  std::vector<double> s;
  for (int i = 1; i <= 1000; ++i) s.push_back(i);
  auto sum = summarize(s);
  CHECK(sum.p50 == 500);
  CHECK(sum.p90 == 900);
  CHECK(sum.p99 == 990);
  CHECK(sum.max == 1000);
}
