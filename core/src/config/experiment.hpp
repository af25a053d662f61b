// An experiment as the user wrote it (YAML), validated. See docs/config.md.
// Every error names file, line and key: ConfigError.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/thresholds.hpp"
#include "crawl/policy.hpp"
#include "server/settings.hpp"

namespace concur::config {

struct Location {
  std::string file;  // the YAML file, or "--set" for a command-line override
  int line = 0;      // 1-based; 0 when unknown
};

// what() reads "FILE:LINE: KEY: MESSAGE", one line, ready to print.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(Location where, std::string key, const std::string &message);
  const Location &where() const { return where_; }
  const std::string &key() const { return key_; }
  const std::string &message() const { return message_; }  // without file, line and key

 private:
  Location where_;
  std::string key_;
  std::string message_;
};

// One option value exactly as written (a YAML scalar), typed later against
// the plugin's own declaration (config/options.hpp).
struct OptionValue {
  std::string text;
  Location where;
};

struct OptionEntry {
  std::string name;
  Location where;                   // of the key
  std::vector<OptionValue> values;  // a scalar is a list of one
};

struct StrategySpec {
  std::string plugin;                // a plugin name, or a path to a .so
  Location where;                    // of the `plugin:` key
  std::string key;                   // "strategies[2]", for messages
  std::vector<OptionEntry> options;  // in file order
  // The entry's own `thresholds:`; each replaces the top level's on its column.
  std::vector<analysis::Threshold> thresholds;
};

inline constexpr int kAutoRetries = -1;  // crawl.retries: auto

struct CrawlSpec {
  std::string start = "root";  // root | random | <page id>
  int max_pages = 0;           // 0: the whole graph
  int timeout_ms = 10'000;     // per request
  // Extra attempts after a failed request; kAutoRetries: enough that losing a
  // failure page is rare (crawl::auto_retries), computed once the server is known.
  int retries = kAutoRetries;
  crawl::FetchPolicy policy;  // backoff, retry_on, hedge, hedge_after_ms
};

// The task generator taking the puzzles of the server's cpu and core pages.
inline constexpr std::string_view kPuzzlesKernel = "puzzles";

// One entry of compute.tasks: `count` tasks running `kernel` on `args`.
struct ComputeTaskSpec {
  // md5_chain | sum_of_squares | prime_factors | factorial_digits | lua:FILE#FN | puzzles
  std::string kernel;
  int count = 1;                   // puzzles: how many pages
  uint64_t iterations = 0;         // md5_chain: chain steps (the seed is the task's name)
  std::vector<std::string> args;   // the other kernels' arguments, as written
  std::vector<std::string> types;  // puzzles: "cpu", "core"; empty: both
  Location where;                  // of the entry, for messages
};

// A named set of tasks. `tasks:` gives one, unnamed; `workloads:` several,
// each run by every strategy (the run matrix grows by one dimension).
struct ComputeWorkload {
  std::string name;  // "" for `tasks:`
  std::vector<ComputeTaskSpec> tasks;
};

struct ComputeSpec {
  std::vector<ComputeWorkload> workloads;
  // Each value makes its own runs (a list: both worlds side by side): true
  // runs Lua kernels under a simulated GIL (script/gil.hpp).
  std::vector<bool> gil = {false};

  // True when a task takes the puzzles of server pages: the runner then builds
  // the graph the experiment's `server:` settings make.
  bool takes_puzzles() const {
    for (const auto &workload : workloads)
      for (const auto &task : workload.tasks)
        if (task.kernel == kPuzzlesKernel) return true;
    return false;
  }
};

// The order an experiment's runs go in (experiment/schedule.hpp).
enum class RunOrder { interleaved, shuffled, grouped };
inline constexpr std::string_view kRunOrders[] = {"interleaved", "shuffled", "grouped"};
inline std::string_view order_name(RunOrder order) {
  return kRunOrders[static_cast<size_t>(order)];
}

struct OutputSpec {
  std::string runs;  // CSV, one row per run; default results/<name>.csv
  // CSV, one row per configuration with the statistics of its repeats; empty:
  // beside the runs CSV actually written (x.csv -> x.summary.csv).
  std::string summary;
  std::string trace;     // Chrome Trace Event JSON of every run; empty: none
  std::string requests;  // CSV, one row per request of every run; empty: none
};

struct Experiment {
  std::string name;
  std::string file;                     // where it was read from
  std::optional<std::string> base_url;  // set: crawl a running server
  // With base_url, only the puzzle description (id_length, hash_rule,
  // cpu_iterations, core_iterations) may be given; it overrides what the
  // server announces. Without, all of it configures the embedded server.
  server::Settings server;
  // The server keys the user gave, in file order (base_url included). With
  // base_url, a puzzle key listed here overrides the server's announcement;
  // one not listed is taken from the announcement.
  std::vector<std::string> server_keys;
  Location profile_where;  // of server.profile, when given: a served profile may contradict it
  CrawlSpec crawl;
  std::vector<StrategySpec> strategies;
  int repeat = 1;
  int warmup = 0;  // runs per strategy before the measured ones, not recorded
  RunOrder order = RunOrder::shuffled;
  // What speedup is measured against, as "STRATEGY [NAME=VALUE ...]"
  // ("threads workers=1", or written {plugin: threads, workers: 1}); empty:
  // each configuration's `sequential`, else its
  // strategy at the smallest width (analysis/configurations.hpp). Checked
  // against the planned runs (experiment/plan.hpp).
  std::string baseline;
  Location baseline_where;
  // Targets every run's row must meet (`thresholds:`, analysis/thresholds.hpp);
  // a strategy entry's own replace these column by column.
  std::vector<analysis::Threshold> thresholds;
  OutputSpec output;
  std::string script;  // Lua hooks (docs/lua.md); empty: none. Relative to the working directory
  // Set: a compute experiment (no server, no crawl): every strategy runs these
  // tasks through the same host table.
  std::optional<ComputeSpec> compute;
};

// `overrides` are "dotted.key=value" strings (the CLI's --set), applied to the
// document before validation, so they obey the same rules as the file.
Experiment load_file(const std::string &path, const std::vector<std::string> &overrides = {});

// Every key the validator accepts, as dotted paths ("crawl.backoff.cap_ms"),
// strategy options aside (each plugin declares its own): what docs/config.md
// must document, and may document, no more, no less (a test holds them equal).
std::vector<std::string> known_keys();
Experiment load_text(std::string_view yaml, const std::string &file_label,
                     const std::vector<std::string> &overrides = {});

}  // namespace concur::config
