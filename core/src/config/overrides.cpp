#include "config/overrides.hpp"

#include <algorithm>
#include <string_view>

#include "config/text.hpp"

namespace concur::config::detail {
namespace {

// One step of a path: "strategies[1]" is name "strategies" and index 1.
struct Step {
  std::string name;
  std::vector<size_t> indices;
};

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

[[noreturn]] void malformed(const std::string &text, const std::string &why) {
  fail(Location{kOverrideFile, 0}, {}, text,
       why +
           "; an override reads KEY=VALUE, e.g. crawl.max_pages=50 or strategies[1].workers=[1,2]");
}

// Parses "name[1][2]" into a Step; false when malformed.
bool parse_step(std::string_view text, Step &step) {
  const auto bracket = text.find('[');
  step.name = std::string(text.substr(0, bracket));
  if (step.name.empty() || step.name.find(']') != std::string::npos) return false;
  text.remove_prefix(bracket == std::string_view::npos ? text.size() : bracket);
  while (!text.empty()) {
    const auto close = text.find(']');
    if (text.front() != '[' || close == std::string_view::npos) return false;
    auto index = parse_uint(text.substr(1, close - 1));
    if (!index || text[1] == '+') return false;
    step.indices.push_back(static_cast<size_t>(*index));
    text.remove_prefix(close + 1);
  }
  return true;
}

std::vector<Step> parse_path(const std::string &override_text, std::string_view path) {
  if (path.empty()) malformed(override_text, "empty key");
  std::vector<Step> steps;
  size_t start = 0;
  while (start <= path.size()) {
    const auto dot = std::min(path.find('.', start), path.size());
    Step step;
    if (!parse_step(path.substr(start, dot - start), step)) {
      malformed(override_text, "malformed key " + quote(path));
    }
    steps.push_back(std::move(step));
    start = dot + 1;
  }
  return steps;
}

// Walks to the node `steps` names, creating missing mappings on the way.
Node &walk(Node &root, const std::vector<Step> &steps, const std::string &origin) {
  const Location here{kOverrideFile, 0};
  Node *node = &root;
  std::string path;
  for (const Step &step : steps) {
    if (node->kind == Node::Kind::null) {
      node->kind = Node::Kind::map;
      node->where = here;
      node->origin = origin;
    }
    if (node->kind != Node::Kind::map) {
      fail(here, origin, path.empty() ? "(root)" : path,
           "is " + describe_node(*node) + ", not a mapping; cannot set " + quote(step.name) +
               " in it");
    }
    Entry *entry = node->find(step.name);
    if (entry == nullptr) {
      Node empty;
      empty.where = here;
      empty.origin = origin;
      node->entries.push_back(Entry{step.name, here, origin, std::move(empty)});
      entry = &node->entries.back();
    }
    path = child_path(path, step.name);
    node = &entry->value;
    for (size_t index : step.indices) {
      if (node->kind != Node::Kind::list || index >= node->items.size()) {
        fail(here, origin, path + "[" + std::to_string(index) + "]",
             "no such list element (" + path + " is " + describe_node(*node) +
                 (node->kind == Node::Kind::list ? " of " + std::to_string(node->items.size()) + ")"
                                                 : ")"));
      }
      node = &node->items[index];
      path += "[" + std::to_string(index) + "]";
    }
  }
  return *node;
}

void apply_one(Node &root, const std::string &text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos) malformed(text, "no '='");
  const std::string_view path = trim(std::string_view(text).substr(0, equals));
  const std::vector<Step> steps = parse_path(text, path);
  const std::string value_text = text.substr(equals + 1);
  Node value = parse_yaml(value_text, Source{kOverrideFile, text, false}, std::string(path));
  value.where = Location{kOverrideFile, 0};
  value.origin = text;
  walk(root, steps, text) = std::move(value);
}

}  // namespace

void apply_overrides(Node &root, const std::vector<std::string> &overrides) {
  for (const std::string &text : overrides) apply_one(root, text);
}

}  // namespace concur::config::detail
