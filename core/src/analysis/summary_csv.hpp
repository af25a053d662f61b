// The summary CSV: one row per configuration with the statistics of its
// repeats (analysis/repeat_stats.hpp), its speedup over its baseline
// (analysis/configurations.hpp) and, for a sweep of one width, the USL fit.
// Rewritten whole after every run, so it always describes the runs finished
// so far.
#pragma once

#include <string>
#include <vector>

#include "analysis/analysis.hpp"

namespace concur::analysis {

std::vector<std::string> summary_header();
// One row per configuration, in the order the configurations first ran. Only
// runs with status ok count; a configuration without one keeps its row, with
// runs_ok 0 and empty figures.
std::vector<std::vector<std::string>> summary_rows(const Analysis &analysis);

// Writes header and rows to `path` (parent folders created), replacing it
// atomically (a temporary file renamed over it). Throws std::runtime_error
// naming the path.
void write_summary_csv(const std::string &path, const std::vector<RunFigures> &runs);

// results/x.csv → results/x.summary.csv (any other name: NAME.summary.csv).
std::string summary_path_for(const std::string &runs_path);
// A file beside a runs CSV: ("results/x.csv", ".html") → "results/x.html",
// as beside a results document ("results/x.json"); a name without .csv or
// .json keeps it whole ("out" → "out.html").
std::string beside_csv(const std::string &csv_path, const std::string &suffix);

}  // namespace concur::analysis
