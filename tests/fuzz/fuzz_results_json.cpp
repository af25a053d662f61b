// What `concur report` and `concur compare` read when given a results
// document (`concur run --json`): any bytes as JSON, then the report made from
// the table it reads into. Only ReadError (naming the file and the run) may
// come out.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>

#include "report/json_table.hpp"
#include "report/report.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  try {
    const auto table = concur::report::parse_results_json(text, "fuzz.json");
    std::ostringstream html;
    concur::report::write_report(table, html);
  } catch (const concur::report::ReadError &) {
  }
  return 0;
}
