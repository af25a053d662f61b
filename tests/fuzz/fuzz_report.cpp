// What `concur report` reads: any bytes as a runs CSV, then the HTML report
// made from it. Only ReadError (naming file, row and column) may come out.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>

#include "report/report.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  try {
    const auto table = concur::report::parse_csv(text, "fuzz.csv");
    std::ostringstream html;
    concur::report::write_report(table, html);
  } catch (const concur::report::ReadError &) {
  }
  return 0;
}
