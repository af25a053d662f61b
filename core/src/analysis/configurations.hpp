// An experiment's configurations and how they compare. Each configuration is
// a strategy and a list of dimensions (its options, workload and gil, and the
// crawl settings a Lua scenario may change between runs). The analysis finds
// which dimensions vary, what each configuration is compared with (its
// baseline), labels that show only what varies, and the sweeps of one
// concurrency dimension. The runs CSV's speedup, the summary CSV, the
// terminal and the report all ask these functions, so they agree.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace concur::analysis {

using Dimension = std::pair<std::string, std::string>;  // name, value

// "workers=4 lanes=false" -> {workers 4} {lanes false}; a word without '='
// is a dimension with an empty value.
std::vector<Dimension> parse_options(const std::string &options);

// The dimensions that say how much runs at once: a configuration differing
// from another only in these is the same work done more (or less) concurrently.
bool is_concurrency_dimension(const std::string &name);
// Those of them that are counts (an x axis): workers, concurrency, fibers ...
bool is_width_dimension(const std::string &name);

struct Identity {
  std::string strategy;
  std::vector<Dimension> dimensions;  // options, then context, each name once
  const std::string *find(const std::string &name) const;
  // strategy and options as the runs CSV writes them: "threads workers=4".
  std::string options;
  std::string full_label() const { return strategy + (options.empty() ? "" : " " + options); }
};

// The runs CSV's columns that identify a configuration besides its strategy
// and options: constant in a YAML experiment, possibly varied by a scenario
// (two servers, another crawl policy). Labels show them only where they vary.
inline constexpr const char *kContextColumns[] = {"seed",       "base_url",    "start",
                                                  "max_pages",  "retry_limit", "fetch_policy",
                                                  "timeout_ms", "puzzle",      "script"};
bool is_context_dimension(const std::string &name);

// `context`: the values of kContextColumns (any subset).
Identity identity_of(const std::string &strategy, const std::string &options,
                     const std::vector<Dimension> &context = {});

// Two configurations are comparable when they agree on every dimension both
// have that is not a concurrency dimension (a plugin's own option, absent
// from another plugin, does not separate them).
bool comparable(const Identity &a, const Identity &b);

// The config's `baseline:` ("sequential", "threads workers=1"): a strategy
// and dimensions a configuration must have to be the baseline.
struct Selector {
  std::string strategy;
  std::vector<Dimension> dimensions;
};
// Throws std::invalid_argument saying what is wrong.
Selector parse_selector(const std::string &text);
bool matches(const Selector &selector, const Identity &config);

// For each configuration, the index of its baseline, or -1 when nothing is
// compared with it. The baseline is, among the comparable configurations:
// the one the selector names; else the first `sequential`; else the same
// strategy at its smallest widths. A configuration that is its own baseline
// and nobody else's has none (a group of one compares nothing).
std::vector<int> baselines(const std::vector<Identity> &configs,
                           const std::optional<Selector> &selector = std::nullopt);

// What varies and what does not: a label per configuration showing the
// strategy, its widths and every dimension that takes two or more values
// among the configurations that have it; what is constant, said once.
struct Labels {
  std::vector<std::string> labels;
  std::string constant;  // "workload=cpu; threads: lanes=false"; empty when nothing is
};
Labels make_labels(const std::vector<Identity> &configs);

// Configurations equal in everything but one width dimension, which takes two
// or more values: a sweep (the speedup chart's line, the USL fit's data).
struct Sweep {
  std::string name;                               // the label without the swept dimension
  std::string dimension;                          // "workers"
  std::vector<std::pair<double, size_t>> points;  // (width, configuration index), ascending
};
std::vector<Sweep> find_sweeps(const std::vector<Identity> &configs);

// The order a reader compares them in, whatever order they ran in (runs are
// shuffled): grouped by the dimensions every configuration has that are not
// concurrency ones (workload, gil, a scenario's seed ...), within a group
// `sequential` first, then the other strategies by name, each by ascending
// width; numbers compare as numbers. Returns indices into `configs`; ties keep
// their order.
std::vector<size_t> reading_order(const std::vector<Identity> &configs);

}  // namespace concur::analysis
