// The summary table printed on stdout after (and during) an experiment.
#pragma once

#include <ostream>

#include "results/run_result.hpp"

namespace concur::results {

void print_summary_header(std::ostream &out);
void print_summary_row(std::ostream &out, const RunResult &run);

}  // namespace concur::results
