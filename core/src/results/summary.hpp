// The summary table printed on stdout after (and during) an experiment.
#pragma once

#include <ostream>

#include "results/run_result.hpp"

namespace concur::results {

// `options_width`: the widest options text of the experiment's runs, so that
// every row lines up (the table is printed row by row as runs end).
// `compute`: the experiment's runs are compute runs (RunResult::is_compute):
// the count columns say tasks and tasks/s. A compute row leaves requests and
// latency blank: it makes none. A failed row is marked after its last column,
// so the columns stay aligned.
void print_summary_header(std::ostream &out, size_t options_width = 0, bool compute = false);
void print_summary_row(std::ostream &out, const RunResult &run, size_t options_width = 0);

}  // namespace concur::results
