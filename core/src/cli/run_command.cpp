#include <unistd.h>

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "config/experiment.hpp"
#include "experiment/plan.hpp"
#include "experiment/run_experiment.hpp"
#include "scenario/scenario.hpp"
#include "script/hooks.hpp"
#include "script/lua.hpp"
#include "server/graph.hpp"

namespace concur::cli {
namespace {

struct RunArgs {
  std::string config;
  std::string out;
  std::vector<std::string> overrides;
  bool quiet = false;
  bool dry_run = false;
  std::string trace, requests, json;
  double progress_interval_s = 10;
};

// --dry-run: everything that can be checked without a server — the config, the
// plugins it names and their options — and the runs it would make.
int dry_run(const config::Experiment &experiment, std::ostream &out) {
  const auto runs = experiment::plan(experiment);
  if (!experiment.script.empty()) script::HookScript::load(experiment.script);  // compiles, runs
  out << experiment.file << ": valid. " << runs.size() << " configuration(s) x "
      << experiment.repeat << " repeat(s)";
  if (experiment.warmup > 0) out << " (+ " << experiment.warmup << " warm-up run(s) each)";
  if (experiment.compute) {
    size_t tasks = 0;
    for (const auto &w : experiment.compute->workloads)
      for (const auto &t : w.tasks) tasks += static_cast<size_t>(t.count);
    out << " of a compute experiment: " << tasks << " tasks\n";
  } else {
    out << " against "
        << (experiment.base_url
                ? *experiment.base_url
                : "an embedded server of " + std::to_string(experiment.server.pages) +
                      " pages, seed " + std::to_string(experiment.server.seed))
        << "\n";
    out << "fetch policy: " << crawl::describe(experiment.crawl.policy) << "\n";
  }
  out << "order: " << config::order_name(experiment.order)
      << (experiment.order == config::RunOrder::shuffled
              ? " (each round drawn from seed " + std::to_string(experiment.server.seed) + ")"
              : std::string())
      << "\n";
  const std::vector<int> baselines = experiment::baselines_of(experiment, runs);
  for (size_t i = 0; i < runs.size(); ++i) {
    out << "  " << experiment::label_of(runs[i]);
    const int base = baselines[i];
    if (base == static_cast<int>(i)) out << "  (the baseline)";
    if (base >= 0 && base != static_cast<int>(i))
      out << "  (speedup over " << experiment::label_of(runs[static_cast<size_t>(base)]) << ")";
    out << "\n";
  }
  return kExitOk;
}

bool is_scenario(const std::string &path) {
  return path.size() > 4 && path.compare(path.size() - 4, 4, ".lua") == 0;
}

// `concur run sweep.lua`: the script decides what runs and what is written.
int run_scenario(const RunArgs &args) {
  const char *misplaced = !args.out.empty()        ? "-o/--out"
                          : !args.trace.empty()    ? "--trace"
                          : !args.requests.empty() ? "--requests"
                          : !args.json.empty()     ? "--json"
                                                   : nullptr;
  if (misplaced != nullptr) {
    std::cerr << "concur: " << misplaced << " applies to YAML experiments; a scenario script ("
              << args.config << ") writes its own files (concur.csv)\n";
    return kExitUsage;
  }
  if (args.dry_run) return scenario::check_scenario(args.config, std::cout, std::cerr);
  return scenario::run_scenario(args.config, {args.overrides}, std::cerr);
}

int run(const RunArgs &args) {
  if (is_scenario(args.config)) return run_scenario(args);
  config::Experiment experiment;
  try {
    experiment = config::load_file(args.config, args.overrides);
    if (args.dry_run) return dry_run(experiment, std::cout);
    return experiment::run_experiment(experiment,
                                      {args.out, args.trace, args.requests, args.json, args.quiet,
                                       ::isatty(STDERR_FILENO) == 1, args.progress_interval_s},
                                      std::cout, std::cerr);
  } catch (const config::ConfigError &e) {
    std::cerr << "concur: " << e.what() << "\n";
    return kExitUsage;
  } catch (const script::ScriptError &e) {
    // The hooks script does not load: as much a config error as a bad key.
    std::cerr << "concur: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::invalid_argument &e) {
    // The server's settings were rejected (e.g. id_length too short for the pages).
    std::cerr << "concur: " << args.config << ": server: " << e.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace

Subcommand add_run(CLI::App &app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App *sub = app.add_subcommand(
      "run", "Run an experiment described by a YAML file, or a scenario script (.lua)");
  sub->add_option("config", args->config,
                  "The experiment (YAML), e.g. configs/quickstart.yaml, or a Lua scenario, "
                  "e.g. scripts/sweep.lua (docs/lua.md)")
      ->required();
  sub->add_option("-o,--out", args->out, "Write the runs CSV here instead of output.runs");
  sub->add_option("--set", args->overrides,
                  "Override a config key before validation, e.g. --set crawl.max_pages=50 "
                  "(repeatable; in a scenario, applied to every concur.run{})");
  sub->add_option("--json", args->json,
                  "Also write the runs and their summary as one JSON document here "
                  "(docs/results.schema.json); concur report and compare read it too");
  sub->add_option("--trace", args->trace,
                  "Write every run's timeline here: Chrome Trace Event JSON, one process per "
                  "run and a lane per worker (open it in https://ui.perfetto.dev)")
      ->type_name("FILE.json");
  sub->add_option("--requests", args->requests,
                  "Write one CSV row per request here: run, worker, url, page type, attempt, "
                  "status, start/end ms, bytes")
      ->type_name("FILE.csv");
  sub->add_flag("-q,--quiet", args->quiet, "Print neither the summary table nor progress");
  sub->add_option("--progress-interval", args->progress_interval_s,
                  "When stderr is not a terminal: a progress line this often, and when each "
                  "run starts (a terminal gets one line updated in place)")
      ->type_name("SECONDS")
      ->default_val(10)
      ->check(above_zero());
  sub->add_flag("-n,--dry-run", args->dry_run,
                "Check the config and the plugins it names, print the runs it would make, and "
                "exit (0: valid, 2: not) without starting anything; a .lua scenario is "
                "compiled only");
  sub->footer(
      "Exit codes: 0 every run succeeded, 1 a run failed, 2 usage or config error.\n"
      "Without server.base_url an embedded demo server is started on a free loopback port.\n"
      "A .lua file is a scenario script: it runs experiments through concur.run{} "
      "(docs/lua.md).");
  return {sub, [args] { return run(*args); }};
}

}  // namespace concur::cli
