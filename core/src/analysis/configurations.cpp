#include "analysis/configurations.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace concur::analysis {
namespace {

constexpr const char *kWidths[] = {"workers",        "concurrency",     "fibers",
                                   "producers",      "consumers",       "local_workers",
                                   "worker_threads", "executor_workers"};

// A width's value as a number; a configuration without it counts as 0 (so
// `sequential`, which has none, sorts first).
double width_value(const Identity &config, const std::string &name) {
  const std::string *value = config.find(name);
  if (value == nullptr) return 0;
  char *end = nullptr;
  const double v = std::strtod(value->c_str(), &end);
  return end != value->c_str() ? v : 0;
}

bool narrower(const Identity &a, const Identity &b) {
  for (const char *name : kWidths) {
    const double x = width_value(a, name), y = width_value(b, name);
    if (x != y) return x < y;
  }
  return false;
}

// Dimensions taking two or more values among the configurations having them.
std::set<std::string> varying(const std::vector<Identity> &configs) {
  std::map<std::string, std::set<std::string>> values;
  for (const Identity &c : configs)
    for (const auto &[name, value] : c.dimensions) values[name].insert(value);
  std::set<std::string> out;
  for (const auto &[name, seen] : values)
    if (seen.size() > 1) out.insert(name);
  return out;
}

// The first width a configuration names is how wide it is (workers,
// concurrency, fibers): shown always; its other widths only where they vary.
std::string primary_width(const Identity &c) {
  for (const auto &dimension : c.dimensions)
    if (is_width_dimension(dimension.first)) return dimension.first;
  return "";
}

std::string label_of(const Identity &c, const std::set<std::string> &shown,
                     const std::string &without = "") {
  std::string label = c.strategy;
  const std::string primary = primary_width(c);
  for (const auto &[name, value] : c.dimensions) {
    if (name == without || !(name == primary || shown.count(name))) continue;
    label += " " + name + (value.empty() ? "" : "=" + value);
  }
  return label;
}

}  // namespace

std::vector<Dimension> parse_options(const std::string &options) {
  std::vector<Dimension> out;
  std::istringstream words(options);
  std::string word;
  while (words >> word) {
    const auto eq = word.find('=');
    if (eq == std::string::npos)
      out.emplace_back(word, "");
    else
      out.emplace_back(word.substr(0, eq), word.substr(eq + 1));
  }
  return out;
}

bool is_width_dimension(const std::string &name) {
  return std::find(std::begin(kWidths), std::end(kWidths), name) != std::end(kWidths);
}

bool is_context_dimension(const std::string &name) {
  return std::find_if(std::begin(kContextColumns), std::end(kContextColumns),
                      [&](const char *column) { return name == column; }) !=
         std::end(kContextColumns);
}

bool is_concurrency_dimension(const std::string &name) {
  return name == "strategy" || is_width_dimension(name);
}

const std::string *Identity::find(const std::string &name) const {
  for (const auto &[key, value] : dimensions)
    if (key == name) return &value;
  return nullptr;
}

Identity identity_of(const std::string &strategy, const std::string &options,
                     const std::vector<Dimension> &context) {
  Identity id{strategy, parse_options(options), options};
  for (const auto &dimension : context)
    if (id.find(dimension.first) == nullptr) id.dimensions.push_back(dimension);
  return id;
}

bool comparable(const Identity &a, const Identity &b) {
  for (const auto &[name, value] : a.dimensions) {
    if (is_concurrency_dimension(name)) continue;
    const std::string *other = b.find(name);
    if (other != nullptr && *other != value) return false;
  }
  return true;
}

Selector parse_selector(const std::string &text) {
  std::istringstream words(text);
  Selector s;
  if (!(words >> s.strategy) || s.strategy.find('=') != std::string::npos)
    throw std::invalid_argument(
        "expected a strategy, then options it must have, e.g. \"threads workers=1\"");
  std::string rest;
  std::getline(words, rest);
  for (auto &dimension : parse_options(rest)) {
    if (dimension.second.empty())
      throw std::invalid_argument("'" + dimension.first +
                                  "' is not NAME=VALUE (e.g. \"threads workers=1\")");
    s.dimensions.push_back(std::move(dimension));
  }
  return s;
}

bool matches(const Selector &selector, const Identity &config) {
  if (selector.strategy != config.strategy) return false;
  for (const auto &[name, value] : selector.dimensions) {
    const std::string *have = config.find(name);
    if (have == nullptr || *have != value) return false;
  }
  return true;
}

std::vector<int> baselines(const std::vector<Identity> &configs,
                           const std::optional<Selector> &selector) {
  const int n = static_cast<int>(configs.size());
  std::vector<int> out(configs.size(), -1);
  for (int i = 0; i < n; ++i) {
    int chosen = -1;
    for (int j = 0; j < n && chosen < 0; ++j) {
      if (!comparable(configs[i], configs[j])) continue;
      if (selector ? matches(*selector, configs[j]) : configs[j].strategy == "sequential")
        chosen = j;
    }
    if (chosen < 0 && !selector)
      for (int j = 0; j < n; ++j)
        if (configs[j].strategy == configs[i].strategy && comparable(configs[i], configs[j]) &&
            (chosen < 0 || narrower(configs[j], configs[chosen])))
          chosen = j;
    out[i] = chosen;
  }
  for (int i = 0; i < n; ++i)
    if (out[i] == i && std::count(out.begin(), out.end(), i) == 1) out[i] = -1;
  return out;
}

Labels make_labels(const std::vector<Identity> &configs) {
  const std::set<std::string> shown = varying(configs);
  Labels out;
  for (const Identity &c : configs) out.labels.push_back(label_of(c, shown));
  // What is constant: said once, for everyone or for the strategies having it
  // (constant context, the seed or the server, is the report header's).
  std::map<std::string, std::set<std::string>> holders;  // "name=value" -> strategies
  std::set<std::string> strategies;
  for (const Identity &c : configs) {
    strategies.insert(c.strategy);
    for (const auto &[name, value] : c.dimensions)
      if (!shown.count(name) && name != primary_width(c) && !is_context_dimension(name) &&
          !value.empty())
        holders[name + "=" + value].insert(c.strategy);
  }
  std::string everyone;
  std::map<std::string, std::string> per_strategy;
  for (const auto &[item, who] : holders) {
    if (who == strategies) {
      everyone += (everyone.empty() ? "" : " ") + item;
      continue;
    }
    for (const std::string &s : who) per_strategy[s] += " " + item;
  }
  out.constant = everyone;
  for (const auto &[strategy, items] : per_strategy)
    out.constant += (out.constant.empty() ? "" : "; ") + strategy + ":" + items;
  return out;
}

std::vector<Sweep> find_sweeps(const std::vector<Identity> &configs) {
  const std::set<std::string> shown = varying(configs);
  std::vector<Sweep> sweeps;
  for (size_t i = 0; i < configs.size(); ++i) {
    for (const Dimension &dimension : configs[i].dimensions) {
      // A named copy, not a structured binding: clang 14 cannot capture those.
      const std::string &name = dimension.first;
      if (!is_width_dimension(name)) continue;
      const std::string key = label_of(configs[i], shown, name);
      auto it = std::find_if(sweeps.begin(), sweeps.end(),
                             [&](const Sweep &s) { return s.dimension == name && s.name == key; });
      if (it == sweeps.end()) it = sweeps.insert(sweeps.end(), Sweep{key, name, {}});
      it->points.emplace_back(width_value(configs[i], name), i);
    }
  }
  std::vector<Sweep> out;
  for (Sweep &s : sweeps) {
    std::sort(s.points.begin(), s.points.end());
    std::set<double> xs;
    for (const auto &point : s.points) xs.insert(point.first);
    if (xs.size() >= 2) out.push_back(std::move(s));
  }
  return out;
}

namespace {

// "8" before "16"; text by its characters; a number before text.
int compare_values(const std::string &a, const std::string &b) {
  char *end_a = nullptr, *end_b = nullptr;
  const double x = std::strtod(a.c_str(), &end_a), y = std::strtod(b.c_str(), &end_b);
  // Finite only: "nan" compares as text, so the order stays a strict weak one.
  const bool number_a = !a.empty() && *end_a == '\0' && std::isfinite(x),
             number_b = !b.empty() && *end_b == '\0' && std::isfinite(y);
  if (number_a && number_b) return x < y ? -1 : (y < x ? 1 : 0);
  if (number_a != number_b) return number_a ? -1 : 1;
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

// The non-concurrency dimensions every configuration has: what groups them,
// in the order the configurations' options name them.
std::vector<std::string> shared_grouping_dimensions(const std::vector<Identity> &configs) {
  std::vector<std::string> names;
  for (const Dimension &dimension : configs.front().dimensions) {
    const std::string &name = dimension.first;  // a lambda may not capture a binding in clang 14
    if (!is_concurrency_dimension(name) &&
        std::all_of(configs.begin(), configs.end(),
                    [&](const Identity &c) { return c.find(name) != nullptr; }))
      names.push_back(name);
  }
  return names;  // in the order labels show them
}

}  // namespace

std::vector<size_t> reading_order(const std::vector<Identity> &configs) {
  std::vector<size_t> order(configs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (configs.empty()) return order;
  const std::vector<std::string> grouping = shared_grouping_dimensions(configs);
  std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) {
    const Identity &a = configs[i], &b = configs[j];
    for (const std::string &name : grouping)
      if (const int c = compare_values(*a.find(name), *b.find(name)); c != 0) return c < 0;
    if (a.strategy != b.strategy) {
      if (a.strategy == "sequential" || b.strategy == "sequential")
        return a.strategy == "sequential";
      return a.strategy < b.strategy;
    }
    if (narrower(a, b) || narrower(b, a)) return narrower(a, b);
    for (size_t k = 0; k < std::min(a.dimensions.size(), b.dimensions.size()); ++k) {
      if (const int c = compare_values(a.dimensions[k].first, b.dimensions[k].first); c != 0)
        return c < 0;
      if (const int c = compare_values(a.dimensions[k].second, b.dimensions[k].second); c != 0)
        return c < 0;
    }
    return a.dimensions.size() < b.dimensions.size();
  });
  return order;
}

}  // namespace concur::analysis
