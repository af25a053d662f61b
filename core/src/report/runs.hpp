// The runs CSV's rows as the analysis reads them (analysis::RunFigures).
// Columns a newer concur added may be missing from an older file (baseline,
// context) and compute rows leave latency blank; a cell that must be a number
// and is not is a ReadError naming the file, row and column.
#pragma once

#include <vector>

#include "analysis/analysis.hpp"
#include "report/csv_reader.hpp"

namespace concur::report {

std::vector<analysis::RunFigures> read_runs(const CsvTable &table);

}  // namespace concur::report
