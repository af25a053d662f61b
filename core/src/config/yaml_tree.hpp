// The YAML document as the config readers see it: our own small tree
// (config/tree.hpp), built once from yaml-cpp. Owning the tree lets us (1) reject duplicate keys,
// which yaml-cpp 0.7 accepts silently, (2) apply --set overrides before validation while
// remembering which nodes came from the command line, and (3) report every error at the line of the
// key or value it concerns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/experiment.hpp"
#include "config/tree.hpp"

namespace concur::config::detail {

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

}  // namespace concur::config::detail
