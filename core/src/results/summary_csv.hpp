// The summary CSV: one row per configuration (strategy + options) with the
// statistics of its repeats (results/repeat_stats.hpp) and its speedup over
// the baseline — the experiment's first configuration. Rewritten whole after
// every run, so it always describes the runs finished so far.
#pragma once

#include <string>
#include <vector>

#include "results/run_result.hpp"

namespace concur::results {

// What the summary needs of one run; the runs themselves (with their
// timelines) are not kept.
struct RunFigures {
  std::string experiment, strategy, options;
  bool ok = false;
  double wall_s = 0, pages_per_s = 0, efficiency = 0;
};
RunFigures figures_of(const RunResult &run);

std::vector<std::string> summary_header();
// One row per configuration, in the order the configurations first ran. Only
// runs with status ok count; a configuration without one keeps its row, with
// runs_ok 0 and empty figures.
std::vector<std::vector<std::string>> summary_rows(const std::vector<RunFigures> &runs);

// Writes header and rows to `path` (parent folders created), replacing it
// atomically (a temporary file renamed over it). Throws std::runtime_error
// naming the path.
void write_summary_csv(const std::string &path, const std::vector<RunFigures> &runs);

// results/x.csv → results/x.summary.csv (any other name: NAME.summary.csv).
std::string summary_path_for(const std::string &runs_path);
// A file beside a runs CSV: ("results/x.csv", ".html") → "results/x.html";
// a name without .csv keeps it whole ("out" → "out.html").
std::string beside_csv(const std::string &csv_path, const std::string &suffix);

}  // namespace concur::results
