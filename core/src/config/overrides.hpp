// --set overrides: "dotted.path=value" applied to the document tree before
// validation, so an override obeys exactly the rules of the file.
#pragma once

#include <string>
#include <vector>

#include "config/yaml_tree.hpp"

namespace concur::config::detail {

// The file label of every node an override creates, and of its errors.
inline constexpr const char *kOverrideFile = "--set";

// Applies each override in order; later ones win. `root` must be a mapping
// (or empty). Intermediate mappings are created when missing; list elements
// must exist. Malformed overrides throw ConfigError at "--set".
void apply_overrides(Node &root, const std::vector<std::string> &overrides);

}  // namespace concur::config::detail
