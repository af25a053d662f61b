// A config document in tree form: what YAML is turned into (config/yaml_tree)
// and what other front ends build directly — a Lua scenario turns its tables
// into one (scenario/) — so every source of configs is validated by the same
// load_tree(), with the same rules and the same messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/experiment.hpp"

namespace concur::config {

struct Entry;

struct Node {
  enum class Kind { null, scalar, map, list };
  Kind kind = Kind::null;
  std::string text;            // scalar
  std::vector<Entry> entries;  // map, in document order, keys unique
  std::vector<Node> items;     // list
  Location where;
  std::string origin;  // the --set override it came from; empty for the file

  const Entry *find(std::string_view key) const;
  Entry *find(std::string_view key);
};

struct Entry {
  std::string key;
  Location where;  // of the key
  std::string origin;
  Node value;
};

// Validates a document in tree form; every error is a ConfigError naming
// file, line and key. `overrides` are --set's "dotted.key=value" strings.
Experiment load_tree(Node root, const std::string &file_label,
                     const std::vector<std::string> &overrides = {});

// "a.b", "a[1]": the dotted paths of messages.
std::string child_path(const std::string &parent, std::string_view key);

}  // namespace concur::config
