// The runs of a results JSON document (`concur run --json`,
// analysis/results_json.hpp) as the table a runs CSV reads into, so the
// report and `compare` treat both alike. Every problem is a ReadError naming
// the file (and the run) it is in.
#pragma once

#include <string>
#include <string_view>

#include "report/csv_reader.hpp"

namespace concur::report {

CsvTable parse_results_json(std::string_view text, const std::string &source);

// A runs CSV or a results JSON document (its first non-blank byte is '{').
CsvTable read_results(const std::string &path);

}  // namespace concur::report
