// Runs a crawl experiment: reaches (or starts) the server, expands the run
// matrix, runs each strategy, and records one result per run.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "config/experiment.hpp"
#include "config/options.hpp"
#include "crawl/crawl_run.hpp"
#include "plugin/loader.hpp"
#include "results/run_result.hpp"

namespace concur::server {
class Server;
}

namespace concur::crawl {

// One cell of the run matrix.
struct PlannedRun {
  std::shared_ptr<plugin::Plugin> plugin;
  config::OptionSet options;
  std::optional<bool> gil = std::nullopt;  // compute: Lua kernels under a simulated GIL
  // Compute experiments: this run's tasks, their name ("" for `tasks:`) and
  // their description for the workload column.
  std::shared_ptr<const std::vector<ComputeItem>> compute = nullptr;
  std::string workload_name = {}, workload = {};
};

// Resolves every strategy's plugin and validates and expands its options.
// Throws config::ConfigError (at the strategy's location) before anything runs.
std::vector<PlannedRun> plan(const config::Experiment &experiment);

// What a run's hooks left behind: every worker's Lua state, for done(), and
// Lua's traceback when a hook ended the run.
struct ScriptOutcome {
  std::vector<std::unique_ptr<script::WorkerHooks>> workers;
  std::string traceback;
};

// One measured run. `embedded` (may be null) is reset first so every run meets
// the same failures, and its CPU time is subtracted from the run's.
results::RunResult run_once(const PlannedRun &planned, const CrawlSettings &settings,
                            server::Server *embedded, ScriptOutcome *script = nullptr);

// run_once, then the experiment's own hooks: done(), then on_result's columns.
// `main` is null without a script. A script error fails the run (status,
// error) and sets *script_failed; its traceback goes to `log`.
results::RunResult measure(const PlannedRun &planned, const CrawlSettings &settings,
                           server::Server *embedded, script::MainHooks *main, std::ostream &log,
                           bool *script_failed);

// The run's row as hooks see it: the runs CSV's columns and values.
script::Row row_of(const results::RunResult &r);

// The server an experiment talks to: embedded (started here) or remote.
class Target {
 public:
  // Starts the embedded server when the experiment has no base_url; reads the
  // server's puzzle announcement; resolves crawl.start to a page id.
  explicit Target(const config::Experiment &experiment, std::ostream &log);
  ~Target();
  const CrawlSettings &settings() const { return settings_; }
  server::Server *embedded() const { return server_.get(); }
  uint64_t seed() const { return seed_; }

 private:
  void start_embedded(const config::Experiment &experiment, std::ostream &log);

  std::unique_ptr<server::Server> server_;
  CrawlSettings settings_;
  uint64_t seed_ = 0;
};

struct RunOptions {
  std::string csv_path;             // empty: the experiment's output.runs
  std::string trace_path;           // empty: the experiment's output.trace (may be empty: none)
  std::string requests_path;        // empty: the experiment's output.requests (may be empty: none)
  bool quiet = false;               // no summary table, no progress
  bool terminal = false;            // stderr is a terminal: a progress line rewritten in place
  double progress_interval_s = 10;  // not a terminal: a progress line this often
};

// The whole experiment; returns the process exit code: 0 when every run
// succeeded, 1 when a run failed. Config problems throw ConfigError.
int run_experiment(const config::Experiment &experiment, const RunOptions &options,
                   std::ostream &out, std::ostream &log);

}  // namespace concur::crawl
