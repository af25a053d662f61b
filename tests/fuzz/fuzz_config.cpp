// The YAML config loader and validator: any bytes are either an experiment or
// a ConfigError naming where; nothing else may escape, nothing may crash. A
// command entry is planned too: its program line's placeholders are parsed then.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/experiment.hpp"
#include "experiment/command_plan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  try {
    const auto experiment = concur::config::load_text(text, "fuzz.yaml");
    // A command entry's program line and placeholders are parsed when planned.
    for (const auto &strategy : experiment.strategies)
      if (concur::experiment::is_command(strategy)) concur::experiment::plan_command(strategy);
  } catch (const concur::config::ConfigError &) {
  }
  return 0;
}
