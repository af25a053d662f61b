#include "analysis/compare.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "analysis/repeat_stats.hpp"

namespace concur::analysis {
namespace {

std::vector<double> logs(const std::vector<double> &values) {
  std::vector<double> out;
  for (double v : values) out.push_back(std::log(v));
  return out;
}

}  // namespace

bool lower_is_better(const std::string &column) {
  for (const char *higher :
       {"pages_per_s", "efficiency", "speedup", "parallel_efficiency", "pages_ok", "coverage"})
    if (column == higher) return false;
  return true;
}

Comparison compare(const std::string &configuration, const std::vector<double> &base,
                   const std::vector<double> &change, bool lower_better, double min_change) {
  Comparison c;
  c.configuration = configuration;
  c.base_n = base.size();
  c.new_n = change.size();
  c.base_median = sample_stats(base).median;
  c.new_median = sample_stats(change).median;
  c.ratio = c.base_median != 0 ? c.new_median / c.base_median : std::nan("");
  c.test = mann_whitney(base, change);
  const bool positive = std::all_of(base.begin(), base.end(), [](double v) { return v > 0; }) &&
                        std::all_of(change.begin(), change.end(), [](double v) { return v > 0; });
  if (positive)
    if (const auto shift = shift_interval(logs(base), logs(change)))
      c.interval = std::make_pair(std::exp(shift->first), std::exp(shift->second));
  if (base.empty() || change.empty() || smallest_p(base.size(), change.size()) >= 0.05)
    c.verdict = "too few repeats";
  else if (c.test.p >= 0.05 || std::abs(std::log(c.ratio)) < std::log1p(min_change))
    c.verdict = "same";
  else
    c.verdict = (c.ratio > 1) == lower_better ? "slower" : "faster";
  return c;
}

double parse_fail_on(const std::string &text) {
  const std::string word = "slower";
  if (text.compare(0, word.size(), word) != 0)
    throw std::invalid_argument("--fail-on takes slower or slower:PCT (e.g. slower:5%), got '" +
                                text + "'");
  if (text.size() == word.size()) return 0;
  std::string pct = text.substr(word.size());
  if (pct[0] != ':' || pct.size() < 2)
    throw std::invalid_argument("--fail-on: expected slower:PCT, got '" + text + "'");
  pct = pct.substr(1);
  if (pct.back() == '%') pct.pop_back();
  size_t used = 0;
  double share = -1;
  try {
    share = std::stod(pct, &used);
  } catch (const std::exception &) {
  }
  if (used != pct.size() || !(share >= 0) || share > 1000)
    throw std::invalid_argument("--fail-on: '" + text + "' is not slower:PCT with PCT ≥ 0");
  return share / 100;
}

bool fails(const Comparison &c, double share, bool lower_better) {
  if (c.verdict != "slower") return false;
  const double worse = lower_better ? c.ratio : 1 / c.ratio;
  return worse > 1 + share;
}

}  // namespace concur::analysis
