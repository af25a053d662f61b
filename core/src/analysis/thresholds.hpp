// Thresholds: targets a run's numbers must meet, written in the config as
// `efficiency: ">= 0.8"` (k6's idea, on the runs CSV's own columns). Checked
// on every run's row and on each configuration's medians (the summary).
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace concur::analysis {

struct Threshold {
  enum class Op { less, less_equal, greater, greater_equal, equal, not_equal };
  std::string column;  // a numeric column of the runs CSV (results::is_numeric_column)
  Op op = Op::less;
  double value = 0;
  std::string text;  // "efficiency >= 0.8": how messages and the CSV name it
};

// A malformed expression; what() says what was expected.
class ThresholdError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// `expression` is OP NUMBER: "< 600", ">=0.8", "== 0" (<, <=, >, >=, ==, !=).
// The column is not checked here (the config knows where to point).
Threshold parse_threshold(std::string_view column, std::string_view expression);

bool holds(const Threshold &t, double value);

// "efficiency >= 0.8 (0.7123)" for each threshold `values` misses; a column
// without a value (blank in the CSV) misses as "(not measured)": a target that
// cannot be checked is not met.
std::vector<std::string> missed(const std::vector<Threshold> &thresholds,
                                const std::map<std::string, double> &values);

// The `thresholds` cell: "" when none apply, "met", or "missed: A; B".
std::string thresholds_cell(const std::vector<Threshold> &thresholds,
                            const std::vector<std::string> &missed);

// A threshold list with `overrides` replacing any of the same column (a
// strategy's own thresholds over the top level's), then the rest appended.
std::vector<Threshold> merge_thresholds(std::vector<Threshold> base,
                                        const std::vector<Threshold> &overrides);

}  // namespace concur::analysis
