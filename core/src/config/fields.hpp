// Reading one mapping of the config against a table of known keys. A section
// is a table of {key, handler}: adding a key is adding one row.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/text.hpp"
#include "config/yaml_tree.hpp"

namespace concur::config::detail {

// One key of a mapping, with its dotted path, and typed accessors whose
// errors name that path: "crawl.max_pages: expected a non-negative integer,
// got 'lots'".
class Field {
 public:
  Field(const Entry &entry, std::string path) : entry_(entry), path_(std::move(path)) {}

  const std::string &path() const { return path_; }
  const Entry &entry() const { return entry_; }
  const Node &node() const { return entry_.value; }

  [[noreturn]] void fail(const std::string &message) const;      // at the value
  [[noreturn]] void fail_key(const std::string &message) const;  // at the key
  [[noreturn]] void expected(const std::string &what) const;     // "expected WHAT, got ..."

  std::string string() const;  // any scalar
  std::string non_empty_string() const;
  int integer(int min, int max = std::numeric_limits<int>::max()) const;
  uint64_t unsigned_integer(uint64_t min) const;
  double number(double min, double max) const;
  std::string one_of(std::span<const std::string_view> choices) const;
  bool boolean() const;      // true | false
  const Node &map() const;   // a mapping; an empty value reads as an empty mapping
  const Node &list() const;  // a list (possibly empty)

 private:
  const Entry &entry_;
  std::string path_;
};

// "a non-negative integer", "an integer between 1 and 16", ...
std::string integer_phrase(double min, double max, double limit);
std::string number_phrase(double min, double max);

[[noreturn]] void unknown_key(const Entry &entry, const std::string &path,
                              std::span<const std::string_view> known);

template <typename Target>
struct KeyRule {
  std::string_view name;
  void (*read)(const Field &field, Target &target);
};

// Reads every entry of `map` with the rule of its key; unknown keys are errors
// with a did-you-mean.
template <typename Target>
void read_keys(const Node &map, const std::string &path, std::span<const KeyRule<Target>> rules,
               Target &target) {
  for (const Entry &entry : map.entries) {
    const KeyRule<Target> *rule = nullptr;
    for (const auto &candidate : rules) {
      if (candidate.name == entry.key) rule = &candidate;
    }
    if (rule == nullptr) {
      std::vector<std::string_view> known;
      for (const auto &candidate : rules) known.push_back(candidate.name);
      unknown_key(entry, child_path(path, entry.key), known);
    }
    rule->read(Field(entry, child_path(path, entry.key)), target);
  }
}

}  // namespace concur::config::detail
