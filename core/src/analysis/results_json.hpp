// The runs and their summary as one JSON document (`concur run --json`):
// versioned, described by docs/results.schema.json. Runs hold the runs CSV's
// columns by name, numbers as numbers and blank cells as null; the summary
// holds the summary CSV's. `concur report` and `concur compare` read it as
// they read the CSV.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "analysis/analysis.hpp"

namespace concur::analysis {

inline constexpr const char *kResultsFormat = "concur-results";
inline constexpr int kResultsVersion = 1;

// One run's row: every column, in the CSV's order, as the CSV writes it.
using RowCells = std::vector<std::pair<std::string, std::string>>;
RowCells row_cells(const results::RunResult &run);

// Written whole to a temporary file renamed over `path` (parent folders
// made), so it is always a whole document. Throws std::runtime_error naming it.
void write_results_json(const std::string &path, const std::string &experiment,
                        const std::vector<RowCells> &runs, const Analysis &analysis);

// A summary CSV column holding a number (blank where none applies).
bool is_numeric_summary_column(const std::string &name);

}  // namespace concur::analysis
