// `thresholds:`, at the top level or in a strategy entry: a mapping of runs
// CSV columns to "OPERATOR NUMBER" (analysis/thresholds.hpp).
#include <algorithm>
#include <string_view>

#include "config/sections.hpp"
#include "results/csv.hpp"

namespace concur::config::detail {
namespace {

// The columns a compute run leaves blank: a threshold on one could never be
// checked, so it is refused before anything runs.
bool blank_in_compute(std::string_view column) {
  return column.rfind("latency_", 0) == 0;
}

std::vector<std::string_view> numeric_columns(const std::vector<std::string> &header) {
  std::vector<std::string_view> names;
  for (const auto &name : header)
    if (results::is_numeric_column(name)) names.push_back(name);
  return names;
}

}  // namespace

void read_thresholds(const Field &field, Draft &draft, std::vector<analysis::Threshold> &out) {
  const std::vector<std::string> header = results::csv_header();
  const std::vector<std::string_view> known = numeric_columns(header);
  for (const Entry &entry : field.map().entries) {
    const Field column(entry, child_path(field.path(), entry.key));
    if (!results::is_numeric_column(entry.key))
      column.fail_key("not a numeric column of the runs CSV" + suggestion(entry.key, known) +
                      " (e.g. wall_s, efficiency, speedup, latency_p99_ms, pages_failed)");
    const std::string expression = column.non_empty_string();
    try {
      out.push_back(analysis::parse_threshold(entry.key, expression));
    } catch (const analysis::ThresholdError &e) {
      column.fail(e.what());
    }
    if (blank_in_compute(entry.key)) draft.latency_thresholds.push_back(column);
  }
}

void check_compute_thresholds(const Draft &draft) {
  if (draft.exp.compute && !draft.latency_thresholds.empty())
    draft.latency_thresholds.front().fail_key(
        "a compute experiment makes no requests: its latency columns are blank, so this "
        "threshold could never be checked");
}

}  // namespace concur::config::detail
