// The run matrix: strategy x option values x workload x gil. Every plugin is
// resolved and every option validated here, before anything runs.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/thresholds.hpp"
#include "compute/items.hpp"
#include "config/experiment.hpp"
#include "config/options.hpp"
#include "experiment/command_plan.hpp"
#include "plugin/loader.hpp"

namespace concur::experiment {

// One cell of the run matrix.
struct PlannedRun {
  std::shared_ptr<plugin::Plugin> plugin;
  config::OptionSet options;
  std::optional<bool> gil = std::nullopt;  // compute: Lua kernels under a simulated GIL
  // Compute experiments: this run's tasks, their name ("" for `tasks:`) and
  // their description for the workload column.
  std::shared_ptr<const std::vector<compute::ComputeItem>> compute = nullptr;
  std::string workload_name = {}, workload = {};
  // The top level's thresholds, with the strategy entry's own over them.
  std::vector<analysis::Threshold> thresholds = {};
  // The command strategy (an outside program; plugin is null): its program
  // line and name. Null for a plugin's run.
  std::shared_ptr<const CommandStrategy> command = nullptr;

  // The strategy column: the plugin's name, or the command's.
  const std::string &strategy() const { return command ? command->name : plugin->name(); }
};

// Resolves every strategy's plugin and validates and expands its options.
// Throws config::ConfigError (at the strategy's location) before anything runs.
std::vector<PlannedRun> plan(const config::Experiment &experiment);

// For each planned run, the index of the run it is compared with (its
// baseline: analysis/configurations.hpp), or -1. A `baseline:` that is not
// "STRATEGY [NAME=VALUE ...]" or matches no planned run is a ConfigError.
std::vector<int> baselines_of(const config::Experiment &experiment,
                              const std::vector<PlannedRun> &runs);

// "workers=4" and, in a compute experiment, "workload=cpu gil=true": what
// tells runs apart (the CSV's options column).
std::string options_of(const PlannedRun &planned);
// The plugin's name and options_of: a run's label for progress lines.
std::string label_of(const PlannedRun &planned);

}  // namespace concur::experiment
