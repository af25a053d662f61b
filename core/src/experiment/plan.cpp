#include "experiment/plan.hpp"

#include <algorithm>
#include <stdexcept>

#include "analysis/configurations.hpp"
#include "experiment/compute_plan.hpp"
#include "server/graph.hpp"

namespace concur::experiment {
namespace {

// Each workload's tasks, made (and their Lua files checked) once, shared by
// every run of it.
struct Workload {
  std::shared_ptr<const std::vector<compute::ComputeItem>> items;
  std::string name, described;
};

std::vector<Workload> workloads_of(const config::Experiment &experiment) {
  std::vector<Workload> workloads;
  if (!experiment.compute) return workloads;
  // `puzzles` tasks come from the graph the embedded server would serve:
  // built by the server's own code (puzzle cache and all), not fetched.
  std::optional<server::Graph> graph;
  if (experiment.compute->takes_puzzles()) graph = server::Graph::build(experiment.server);
  for (const auto &w : experiment.compute->workloads)
    workloads.push_back({compute_items(w, graph ? &*graph : nullptr), w.name,
                         describe_compute(w, experiment.server)});
  return workloads;
}

std::shared_ptr<plugin::Plugin> plugin_of(const config::StrategySpec &strategy) {
  try {
    return plugin::find(strategy.plugin);
  } catch (const plugin::PluginError &e) {
    throw config::ConfigError(strategy.where, strategy.key + ".plugin", e.what());
  }
}

// An outside program's runs: judged from the embedded server's side, so it
// needs that server, and it crawls (a compute experiment has no server).
void plan_commands(const config::Experiment &experiment, const config::StrategySpec &strategy,
                   const std::vector<analysis::Threshold> &thresholds,
                   std::vector<PlannedRun> &runs) {
  if (experiment.compute || experiment.base_url)
    throw config::ConfigError(strategy.where, strategy.key + ".plugin",
                              "the command strategy crawls the embedded demo server, whose own "
                              "counts judge the run: it cannot run in a compute experiment or "
                              "against server.base_url");
  CommandPlan command = plan_command(strategy);
  for (auto &options : command.option_sets) {
    runs.push_back({nullptr, std::move(options), std::nullopt});
    runs.back().thresholds = thresholds;
    runs.back().command = command.strategy;
  }
  for (const auto &run : runs)
    if (run.command && run.command != command.strategy &&
        run.command->name == command.strategy->name)
      throw config::ConfigError(
          strategy.where, strategy.key + ".name",
          "another command entry is named '" + run.command->name + "': give each its own name:");
}

}  // namespace

std::vector<PlannedRun> plan(const config::Experiment &experiment) {
  const std::vector<Workload> workloads = workloads_of(experiment);
  std::vector<PlannedRun> runs;
  for (const auto &strategy : experiment.strategies) {
    const auto thresholds = analysis::merge_thresholds(experiment.thresholds, strategy.thresholds);
    if (is_command(strategy)) {
      plan_commands(experiment, strategy, thresholds, runs);
      continue;
    }
    const std::shared_ptr<plugin::Plugin> found = plugin_of(strategy);
    for (auto &options : config::expand_options(strategy, found->options())) {
      if (!experiment.compute) {
        runs.push_back({found, std::move(options), std::nullopt});
        runs.back().thresholds = thresholds;
        continue;
      }
      for (const auto &w : workloads)
        for (bool gil : experiment.compute->gil) {
          runs.push_back({found, options, gil, w.items, w.name, w.described});
          runs.back().thresholds = thresholds;
        }
    }
  }
  return runs;
}

std::vector<int> baselines_of(const config::Experiment &experiment,
                              const std::vector<PlannedRun> &runs) {
  std::vector<analysis::Identity> ids;
  for (const PlannedRun &run : runs)
    ids.push_back(analysis::identity_of(run.strategy(), options_of(run)));
  if (experiment.baseline.empty()) return analysis::baselines(ids);
  analysis::Selector selector;
  try {
    selector = analysis::parse_selector(experiment.baseline);
  } catch (const std::invalid_argument &e) {
    throw config::ConfigError(experiment.baseline_where, "baseline", e.what());
  }
  const bool any = std::any_of(ids.begin(), ids.end(), [&](const analysis::Identity &id) {
    return analysis::matches(selector, id);
  });
  if (!any)
    throw config::ConfigError(experiment.baseline_where, "baseline",
                              "'" + experiment.baseline +
                                  "' matches none of the experiment's configurations (e.g. " +
                                  label_of(runs.front()) + ")");
  return analysis::baselines(ids, selector);
}

std::string options_of(const PlannedRun &planned) {
  std::string options = config::describe(planned.options);
  auto add = [&options](const std::string &item) {
    options += (options.empty() ? "" : " ") + item;
  };
  if (!planned.workload_name.empty()) add("workload=" + planned.workload_name);
  if (planned.gil) add(std::string("gil=") + (*planned.gil ? "true" : "false"));
  return options;
}

std::string label_of(const PlannedRun &planned) {
  const std::string options = options_of(planned);
  return planned.strategy() + (options.empty() ? "" : " " + options);
}

}  // namespace concur::experiment
