// The plugin option parser: values checked against a declared table of every
// option type (bounds, choices). Input: option index, then value texts
// separated by newlines (a list value). Only ConfigError may come out.
#include <concur/plugin.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "config/options.hpp"

namespace {

const concur_option_spec kDeclared[] = {
    {"workers", CONCUR_OPT_INT, "4", "an int with bounds", nullptr, 1, 512},
    {"any_int", CONCUR_OPT_INT, "0", "an int without bounds", nullptr, 1, 0},
    {"ratio", CONCUR_OPT_DOUBLE, "0.5", "a double in [0, 1]", nullptr, 0, 1},
    {"flag", CONCUR_OPT_BOOL, "false", "a bool", nullptr, 1, 0},
    {"mode", CONCUR_OPT_STRING, "inline", "a string with choices", "inline|threads|processes", 1,
     0},
    {"name", CONCUR_OPT_STRING, "x", "any string", nullptr, 1, 0},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  const auto &decl = kDeclared[data[0] % (sizeof kDeclared / sizeof kDeclared[0])];
  concur::config::StrategySpec spec;
  spec.plugin = "fuzz";
  spec.key = "strategies[0]";
  concur::config::OptionEntry entry{decl.name, {"fuzz.yaml", 3}, {}};
  std::string value;
  for (size_t i = 1; i <= size; ++i) {
    if (i == size || data[i] == '\n') {
      entry.values.push_back({value, {"fuzz.yaml", 3}});
      value.clear();
    } else {
      value += static_cast<char>(data[i]);
    }
  }
  spec.options.push_back(entry);
  try {
    for (const auto &set : concur::config::expand_options(spec, kDeclared))
      (void)concur::config::describe(set);
  } catch (const concur::config::ConfigError &) {
  }
  return 0;
}
