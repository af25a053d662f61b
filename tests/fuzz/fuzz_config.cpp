// The YAML config loader and validator: any bytes are either an experiment or
// a ConfigError naming where; nothing else may escape, nothing may crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/experiment.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  try {
    concur::config::load_text(text, "fuzz.yaml");
  } catch (const concur::config::ConfigError &) {
  }
  return 0;
}
