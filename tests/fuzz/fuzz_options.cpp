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
    {.name = "workers",
     .type = CONCUR_OPT_INT,
     .default_value = "4",
     .help = "an int with bounds",
     .choices = nullptr,
     .min = 1,
     .max = 512},
    {.name = "any_int",
     .type = CONCUR_OPT_INT,
     .default_value = "0",
     .help = "an int without bounds",
     .choices = nullptr,
     CONCUR_UNBOUNDED},
    {.name = "ratio",
     .type = CONCUR_OPT_DOUBLE,
     .default_value = "0.5",
     .help = "a double in [0, 1]",
     .choices = nullptr,
     .min = 0,
     .max = 1},
    {.name = "flag",
     .type = CONCUR_OPT_BOOL,
     .default_value = "false",
     .help = "a bool",
     .choices = nullptr,
     CONCUR_UNBOUNDED},
    {.name = "mode",
     .type = CONCUR_OPT_STRING,
     .default_value = "inline",
     .help = "a string with choices",
     .choices = "inline|threads|processes",
     CONCUR_UNBOUNDED},
    {.name = "name",
     .type = CONCUR_OPT_STRING,
     .default_value = "x",
     .help = "any string",
     .choices = nullptr,
     CONCUR_UNBOUNDED},
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
