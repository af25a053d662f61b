// Helpers for the config tests: load inline YAML and capture the ConfigError.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "config/experiment.hpp"

namespace concur::config::test {

// The error that loading `yaml` (labelled x.yaml) throws; fails the test if none.
inline ConfigError load_error(const std::string &yaml,
                              const std::vector<std::string> &overrides = {}) {
  try {
    load_text(yaml, "x.yaml", overrides);
  } catch (const ConfigError &e) {
    return e;
  }
  FAIL("expected a ConfigError for:\n" << yaml);
  throw;  // unreachable: FAIL throws
}

// The smallest valid config, to which tests add their lines.
inline constexpr const char *kMinimal = "strategies:\n  - plugin: sequential\n";

}  // namespace concur::config::test
