// Plugin options: typed against the plugin's declared table, then expanded
// into the run matrix.
#include "config/options.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "config/text.hpp"

namespace concur::config {
namespace {

using detail::format_number;
using detail::quote;

std::vector<std::string_view> split_choices(std::string_view choices) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= choices.size()) {
    const size_t bar = std::min(choices.find('|', start), choices.size());
    out.push_back(choices.substr(start, bar - start));
    start = bar + 1;
  }
  return out;
}

std::string expectation(const concur_option_spec &decl) {
  const bool bounded = decl.min <= decl.max;
  const std::string range =
      bounded ? " between " + format_number(decl.min) + " and " + format_number(decl.max) : "";
  switch (decl.type) {
    case CONCUR_OPT_INT:
      return "an integer" + range;
    case CONCUR_OPT_DOUBLE:
      return "a number" + range;
    case CONCUR_OPT_BOOL:
      return "true or false";
    case CONCUR_OPT_STRING:
      return decl.choices ? "one of " + std::string(decl.choices) : "a string";
  }
  return "a value of an unknown option type " + std::to_string(static_cast<int>(decl.type));
}

bool within(const concur_option_spec &decl, double value) {
  return decl.min > decl.max || (value >= decl.min && value <= decl.max);
}

std::optional<bool> parse_bool(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (text == "true") return true;
  if (text == "false") return false;
  return std::nullopt;
}

// The typed value of `text`, or nothing when `decl` does not accept it.
std::optional<TypedValue> typed(const concur_option_spec &decl, const std::string &text) {
  TypedValue out;
  out.type = decl.type;
  if (decl.type == CONCUR_OPT_INT) {
    auto value = detail::parse_int(text);
    if (!value || !within(decl, static_cast<double>(*value))) return std::nullopt;
    out.i = *value;
    out.text = std::to_string(*value);
  } else if (decl.type == CONCUR_OPT_DOUBLE) {
    auto value = detail::parse_number(text);
    if (!value || !within(decl, *value)) return std::nullopt;
    out.d = *value;
    out.text = format_number(*value);
  } else if (decl.type == CONCUR_OPT_BOOL) {
    auto value = parse_bool(text);
    if (!value) return std::nullopt;
    out.b = *value;
    out.text = *value ? "true" : "false";
  } else if (decl.type == CONCUR_OPT_STRING) {
    if (decl.choices) {
      auto choices = split_choices(decl.choices);
      if (std::find(choices.begin(), choices.end(), text) == choices.end()) return std::nullopt;
    }
    out.s = text;
    out.text = text;
  } else {
    return std::nullopt;
  }
  return out;
}

// A plugin's own table is wrong: not the user's fault, so the error names
// the plugin rather than a line of the config.
[[noreturn]] void plugin_bug(const std::string &plugin, const std::string &option,
                             const std::string &message) {
  throw ConfigError(Location{plugin, 0}, option, message + " (a bug in the plugin's option table)");
}

std::vector<TypedValue> default_values(const std::string &plugin, const concur_option_spec &decl) {
  if (decl.default_value == nullptr) plugin_bug(plugin, decl.name, "no default value");
  auto value = typed(decl, decl.default_value);
  if (!value) {
    plugin_bug(plugin, decl.name,
               "default " + quote(decl.default_value) + " is not " + expectation(decl));
  }
  return {*value};
}

[[noreturn]] void unknown_option(const StrategySpec &spec, const OptionEntry &entry,
                                 std::span<const concur_option_spec> declared) {
  std::vector<std::string_view> known;
  for (const auto &decl : declared) known.push_back(decl.name);
  std::string hint;
  if (known.empty()) {
    hint = " (it has no options)";
  } else {
    auto close = detail::closest(entry.name, known);
    hint = " (" + (close ? "did you mean '" + std::string(*close) + "'? " : std::string()) +
           "known: " + detail::join(known, ", ") + ")";
  }
  throw ConfigError(entry.where, spec.key + "." + entry.name,
                    "unknown option of plugin '" + spec.plugin + "'" + hint);
}

// For each declared option, the entry of `spec` that sets it (or null).
std::vector<const OptionEntry *> match_entries(const StrategySpec &spec,
                                               std::span<const concur_option_spec> declared) {
  std::vector<const OptionEntry *> given(declared.size(), nullptr);
  for (const OptionEntry &entry : spec.options) {
    auto it = std::find_if(declared.begin(), declared.end(),
                           [&](const auto &decl) { return entry.name == decl.name; });
    if (it == declared.end()) unknown_option(spec, entry, declared);
    const auto index = static_cast<size_t>(it - declared.begin());
    if (given[index] != nullptr) {
      throw ConfigError(entry.where, spec.key + "." + entry.name, "option given twice");
    }
    if (entry.values.empty()) {
      throw ConfigError(entry.where, spec.key + "." + entry.name,
                        "expected a scalar or a non-empty list of scalars, got an empty list");
    }
    given[index] = &entry;
  }
  return given;
}

}  // namespace

TypedValue parse_option_value(const concur_option_spec &decl, const OptionValue &value,
                              const std::string &key) {
  auto result = typed(decl, value.text);
  if (!result) {
    throw ConfigError(value.where, key,
                      "expected " + expectation(decl) + ", got " + quote(value.text));
  }
  return *result;
}

std::vector<OptionSet> expand_options(const StrategySpec &spec,
                                      std::span<const concur_option_spec> declared) {
  for (const auto &decl : declared) {
    if (decl.name == nullptr) plugin_bug(spec.plugin, "(unnamed)", "an option without a name");
  }
  const auto given = match_entries(spec, declared);
  std::vector<std::vector<TypedValue>> axes;
  for (size_t i = 0; i < declared.size(); ++i) {
    if (given[i] == nullptr) {
      axes.push_back(default_values(spec.plugin, declared[i]));
      continue;
    }
    std::vector<TypedValue> values;
    for (const OptionValue &value : given[i]->values) {
      values.push_back(parse_option_value(declared[i], value, spec.key + "." + given[i]->name));
    }
    axes.push_back(std::move(values));
  }
  // An odometer over the axes: the last option turns fastest, so the first
  // varies slowest, as the runs are listed in the docs.
  std::vector<OptionSet> sets;
  std::vector<size_t> digit(axes.size(), 0);
  while (true) {
    OptionSet set;
    for (size_t i = 0; i < axes.size(); ++i) {
      set.push_back(ResolvedOption{declared[i].name, axes[i][digit[i]]});
    }
    sets.push_back(std::move(set));
    size_t turning = axes.size();
    while (turning > 0 && ++digit[turning - 1] == axes[turning - 1].size()) {
      digit[--turning] = 0;
    }
    if (turning == 0) return sets;
  }
}

std::string without_password(const std::string &value) {
  const auto scheme = value.find("://");
  if (scheme == std::string::npos) return value;
  const auto authority = scheme + 3;
  const auto end = value.find_first_of("/?#", authority);
  const auto at = value.rfind('@', end == std::string::npos ? std::string::npos : end - 1);
  if (at == std::string::npos || at < authority) return value;
  const auto colon = value.find(':', authority);
  if (colon == std::string::npos || colon > at) return value;  // a user, no password
  return value.substr(0, colon + 1) + "***" + value.substr(at);
}

std::string describe(const OptionSet &options) {
  std::string out;
  for (const ResolvedOption &option : options) {
    if (!out.empty()) out += ' ';
    out += option.name + "=" + without_password(option.value.text);
  }
  return out;
}

}  // namespace concur::config
