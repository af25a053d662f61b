// The report's charts, chosen by the experiment's shape: wall time and
// efficiency always; speedup by width where a sweep exists (with the USL
// curve where it was fitted); the GIL's lesson where workload and gil vary;
// the stall where an event loop reports blocked time; request latency for
// crawls. Each chart's labels are the analysis' labels: unique within it.
#pragma once

#include <ostream>
#include <vector>

#include "analysis/analysis.hpp"

namespace concur::report {

void write_charts(std::ostream &out, const analysis::Analysis &analysis,
                  const std::vector<analysis::RunFigures> &runs);

}  // namespace concur::report
