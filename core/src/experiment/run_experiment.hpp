// `concur run EXPERIMENT.yaml`: plans the runs, reaches (or starts) the
// server, runs every configuration `repeat` times, and writes what it
// measured — the runs CSV, the summary CSV, and on request the trace and the
// requests CSV — with a summary table and progress on the terminal.
#pragma once

#include <ostream>
#include <string>

#include "config/experiment.hpp"

namespace concur::experiment {

struct RunOptions {
  std::string csv_path;             // empty: the experiment's output.runs
  std::string trace_path;           // empty: the experiment's output.trace (may be empty: none)
  std::string requests_path;        // empty: the experiment's output.requests (may be empty: none)
  std::string json_path;            // the runs and summary as one JSON document; empty: none
  bool quiet = false;               // no summary table, no progress
  bool terminal = false;            // stderr is a terminal: a progress line rewritten in place
  double progress_interval_s = 10;  // not a terminal: a progress line this often
};

// The whole experiment; returns the process exit code: 0 when every run
// succeeded, 1 when a run failed. Config problems throw ConfigError.
int run_experiment(const config::Experiment &experiment, const RunOptions &options,
                   std::ostream &out, std::ostream &log);

}  // namespace concur::experiment
