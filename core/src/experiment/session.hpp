// What every run of an experiment shares — its server (Target), its hooks
// script, its settings — and run_single(), the one way a configuration is
// run and recorded: by `concur run` (run_experiment) and by a Lua scenario's
// concur.run{} alike.
#pragma once

#include <memory>
#include <ostream>
#include <vector>

#include "config/experiment.hpp"
#include "crawl/crawl_run.hpp"
#include "experiment/measure.hpp"
#include "experiment/plan.hpp"
#include "experiment/target.hpp"
#include "results/progress.hpp"
#include "results/run_result.hpp"
#include "script/hooks.hpp"

namespace concur::experiment {

class Session {
 public:
  // Loads the hooks script: a broken one throws script::ScriptError before
  // anything runs.
  Session(const config::Experiment &experiment, std::ostream &log);
  ~Session();

  // Reaches the server, or starts the embedded one (Target), before any run;
  // what the server announces goes to `announcements`. `embedded`, when
  // given, is a server of the caller's that the experiment's base_url points
  // at: it is reset before each run and its CPU time is not the run's.
  void open(std::ostream &announcements, server::Server *embedded = nullptr);

  // Each planned run once per warm-up round, not recorded. Warm-up runs use
  // the hooks (they shape the crawl), but not on_result or done.
  void warm_up(const std::vector<PlannedRun> &runs);
  // One measured run, then the experiment's hooks (done, then on_result's
  // columns), its row stamped with the experiment, `repeat` and the seed. A
  // script's error fails the row and makes script_failed() true; its Lua
  // traceback goes to the log.
  results::RunResult run_single(const PlannedRun &planned, int repeat);
  // The row of a run not started, and why (the server was found gone).
  results::RunResult skipped(const PlannedRun &planned, int repeat, const std::string &why) const;
  bool script_failed() const { return script_failed_; }

  // Pages completed by the run in progress, for a progress line.
  void count_into(results::LiveCounts *live) { counter_.live = live; }
  uint64_t seed() const { return target_->seed(); }

 private:
  void run_hooks(results::RunResult &r, ScriptOutcome &outcome);

  const config::Experiment &experiment_;
  std::ostream &log_;
  std::shared_ptr<const script::HookScript> hooks_;
  std::unique_ptr<script::MainHooks> main_hooks_;
  std::unique_ptr<Target> target_;
  server::Server *embedded_ = nullptr;
  crawl::CrawlSettings settings_;
  bool script_failed_ = false;
  // Counts completed pages into a progress line's counts.
  struct Counter final : crawl::TaskObserver {
    results::LiveCounts *live = nullptr;
    void completed(bool ok) override { ++(ok ? live->pages_ok : live->pages_failed); }
  } counter_;
};

}  // namespace concur::experiment
