// `concur report`: a runs CSV turned into one self-contained HTML page — what
// was run, the summary table, and charts of wall time, efficiency, speedup and
// latency — readable by someone who never opened the CSV.
#pragma once

#include <ostream>
#include <string>

#include "report/csv_reader.hpp"

namespace concur::report {

// Throws ReadError when a column the report needs is missing or a number does
// not read as one (naming the file, row and column).
void write_report(const CsvTable &runs, std::ostream &out);

}  // namespace concur::report
