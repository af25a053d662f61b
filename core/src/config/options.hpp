// A strategy's option values, typed and checked against the plugin's own
// declared table, then expanded into the run matrix.
#pragma once

#include <concur/plugin.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "config/experiment.hpp"

namespace concur::config {

struct TypedValue {
  concur_option_type type = CONCUR_OPT_STRING;
  int64_t i = 0;
  double d = 0;
  bool b = false;
  std::string s;     // STRING values
  std::string text;  // canonical text, for CSV and messages: "4", "0.5", "true", "inline"
};

struct ResolvedOption {
  std::string name;
  TypedValue value;
};

// Every declared option of the plugin, in declaration order, each with one value
// (the user's or the default).
using OptionSet = std::vector<ResolvedOption>;

// Validates every value of `spec` against `declared` and returns the cross
// product of the list-valued options: the first option varies slowest. Unknown
// options, wrong types, out-of-range numbers and values outside `choices` throw
// ConfigError at the offending key or value.
std::vector<OptionSet> expand_options(const StrategySpec &spec,
                                      std::span<const concur_option_spec> declared);

// Parses one value as `decl` declares it; throws ConfigError at `value.where`.
TypedValue parse_option_value(const concur_option_spec &decl, const OptionValue &value,
                              const std::string &key);

// "workers=4 executor=inline": the set as one CSV field, a run's label and
// identity. A URL's password shows as *** (redis://app:***@host): results are
// shared, a password must not travel with them.
std::string describe(const OptionSet &options);
// `value` with the password of a scheme://user:password@host URL as ***;
// anything else as it is.
std::string without_password(const std::string &value);

}  // namespace concur::config
