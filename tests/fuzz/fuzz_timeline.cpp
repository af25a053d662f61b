// What `concur report` reads beside a runs CSV: any bytes as a timeline file
// (results/timeline.hpp), then its runs drawn as the report draws them. Only
// ReadError (naming file and row) may come out.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "report/timeline.hpp"
#include "report/timeline_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  try {
    const auto file = concur::report::parse_timeline(text, "fuzz.timeline.csv");
    int drawn = 0;
    for (const auto &[index, run] : file.runs) {
      (void)concur::report::timeline_chart("run " + std::to_string(index), run);
      if (++drawn == 3) break;  // a chart's cost does not grow with its run: three reach it all
    }
  } catch (const concur::report::ReadError &) {
  }
  return 0;
}
