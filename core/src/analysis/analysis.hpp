// An experiment's runs, analysed: per configuration the statistics of its
// repeats, its label, its baseline and speedup; per sweep of one concurrency
// dimension the USL fit. What the summary CSV, the terminal summary and the
// report show, computed once (configurations.hpp says how).
#pragma once

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/configurations.hpp"
#include "analysis/repeat_stats.hpp"
#include "analysis/thresholds.hpp"
#include "analysis/usl.hpp"
#include "results/run_result.hpp"

namespace concur::analysis {

// One run, as the analysis needs it: from a RunResult as its run ends, or
// from a row of the runs CSV (the report).
struct RunFigures {
  std::string experiment, strategy, options;
  std::vector<Dimension> context;  // kContextColumns' values
  std::string baseline;            // the runs CSV's baseline column; "" none
  int repeat = 0;
  bool ok = false;
  bool compute = false;  // a compute experiment's run: tasks, not pages
  bool outside = false;  // an outside program's run (the command strategy): no spans, no latency
  double wall_s = 0, rate = 0, efficiency = 0;  // rate: pages/s, or tasks/s
  double p50 = std::numeric_limits<double>::quiet_NaN(), p90 = p50, p99 = p50;
  double speedup = -1;                    // the runs CSV's (same repeat); -1: none
  std::map<std::string, double> metrics;  // the strategy's own figures (loop_blocked_s ...)
  std::string error;
  std::map<std::string, double> columns;  // every numeric column with a value, by name
  std::string thresholds_cell;            // the runs CSV's `thresholds`
  // The thresholds the run was held to; known while the experiment runs (not
  // from a CSV), so only then does the summary check its medians.
  std::vector<Threshold> thresholds;
};
RunFigures figures_of(const results::RunResult &run);
// The context of a run, by column name (kContextColumns).
std::vector<Dimension> context_of(const results::RunResult &run);

struct ConfigSummary {
  Identity identity;
  std::string label;  // only what varies (make_labels)
  std::string experiment;
  bool compute = false;
  std::vector<size_t> runs;  // indices of its runs (ok or not), in order
  size_t runs_ok = 0;
  SampleStats wall, rate, efficiency, p50, p99;  // over ok runs
  int baseline = -1;                             // index of its baseline configuration; -1 none
  Speedup speedup;                               // over the baseline; NaN when none
  int sweep = -1;                                // the first sweep it is in with a USL fit
  // The least coverage of its runs (pages reached / reachable pages), so a
  // run that lost pages shows in the summary too; NaN when no run knows it.
  double coverage_min = std::numeric_limits<double>::quiet_NaN();
  size_t runs_missing_thresholds = 0;  // runs whose `thresholds` cell says missed
  // Its thresholds on the medians of its ok runs: "" unknown or none, "met",
  // "missed: ..." (thresholds_cell).
  std::string thresholds;
};

struct SweepSummary {
  Sweep sweep;
  std::optional<UslFit> usl;  // with ≥ 4 distinct widths that ran ok
};

struct Analysis {
  std::vector<ConfigSummary> configs;  // experiments as first ran; within one, reading_order
  std::string constant;                // what every label leaves out (make_labels)
  std::vector<SweepSummary> sweeps;
  bool any_compute() const;
  bool any_crawl() const;
};

// The baselines are those the runs name (their baseline column, set as they
// ran: the experiment's `baseline:` or the default rule); when no run names
// one (a scenario's CSV), the default rule decides.
Analysis analyse(const std::vector<RunFigures> &runs);

// v to `digits` significant digits, without exponent for everyday sizes:
// 0.0123, 1.235, 12.35, 1235, 123457.
std::string significant(double v, int digits = 4);

}  // namespace concur::analysis
