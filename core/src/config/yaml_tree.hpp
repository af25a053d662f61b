// The YAML document as the config readers see it: our own small tree, built
// once from yaml-cpp. Owning the tree lets us (1) reject duplicate keys, which
// yaml-cpp 0.7 accepts silently, (2) apply --set overrides before validation
// while remembering which nodes came from the command line, and (3) report
// every error at the line of the key or value it concerns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/experiment.hpp"

namespace concur::config::detail {

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

// Where nodes come from: a file (real line numbers) or an override (line 0).
struct Source {
  std::string file;
  std::string origin;  // the override text, when from --set
  bool has_lines = true;
};

// Parses one YAML document. Syntax errors, duplicate keys, non-scalar keys and
// more than one document are ConfigErrors. `key` prefixes the paths in messages.
Node parse_yaml(std::string_view text, const Source &source, const std::string &key = {});

// Throws a ConfigError; a node from --set gets the override text as context.
[[noreturn]] void fail(const Location &where, const std::string &origin, const std::string &key,
                       const std::string &message);

// "'lots'", "a mapping", "a list" or "nothing": the tail of "expected X, got ...".
std::string describe_node(const Node &node);

// Validates a document already in tree form (YAML, or a Lua table turned into
// one by script/scenario.cpp): the same rules, the same messages.
Experiment load_tree(Node root, const std::string &file_label,
                     const std::vector<std::string> &overrides = {});

// "a.b", "a[1]": the dotted paths of messages.
std::string child_path(const std::string &parent, std::string_view key);

}  // namespace concur::config::detail
