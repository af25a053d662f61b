#include "experiment/run_experiment.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>

#include "analysis/results_json.hpp"
#include "analysis/summary_csv.hpp"
#include "analysis/terminal_summary.hpp"
#include "crawl/fetcher.hpp"
#include "experiment/schedule.hpp"
#include "experiment/session.hpp"
#include "results/csv.hpp"
#include "results/fingerprint.hpp"
#include "results/output_file.hpp"
#include "results/summary.hpp"
#include "results/timeline.hpp"
#include "results/trace.hpp"

namespace concur::experiment {
namespace {

std::string or_default(const std::string &given, const std::string &fallback) {
  return given.empty() ? fallback : given;
}

// Every file the experiment writes, each row added as its run ends.
class Outputs {
 public:
  Outputs(const config::Experiment &experiment, const RunOptions &options, std::ostream &log)
      : csv_(announced(or_default(options.csv_path, experiment.output.runs), log)),
        summary_path_(
            or_default(experiment.output.summary, analysis::summary_path_for(csv_.path()))) {
    const std::string trace = or_default(options.trace_path, experiment.output.trace);
    const std::string requests = or_default(options.requests_path, experiment.output.requests);
    if (!trace.empty()) trace_ = std::make_unique<results::TraceWriter>(trace);
    if (!requests.empty()) requests_ = std::make_unique<results::RequestsCsv>(requests);
    timeline_ = results::timeline_beside(csv_.path());
    json_path_ = options.json_path;
    experiment_ = experiment.name;
  }

  static std::string announced(const std::string &path, std::ostream &log) {
    results::announce_output(path, log);
    return path;
  }

  // An on_result column the CSV's header (fixed by the first row) lacks fails
  // the run; true then: the script would do it again in every run.
  bool refuses_columns(results::RunResult &r, const std::string &script) const {
    const auto unknown = csv_.unknown_columns(r);
    if (unknown.empty()) return false;
    r.fail(script + ": on_result returned column '" + unknown.front() +
           "', which the first run's row did not have (it fixed the CSV's columns)");
    return true;
  }

  void add(const results::RunResult &r, int run_index, double offset_s,
           const std::vector<analysis::Threshold> &thresholds) {
    csv_.write(r);
    if (trace_) trace_->add_run(r, run_index, offset_s);
    if (requests_) requests_->add_run(r, run_index);
    if (timeline_) timeline_->add_run(r, run_index);
    figures_.push_back(analysis::figures_of(r));
    figures_.back().thresholds = thresholds;
    analysis::write_summary_csv(summary_path_, figures_);
    if (json_path_.empty()) return;
    json_rows_.push_back(analysis::row_cells(r));
    analysis::write_results_json(json_path_, experiment_, json_rows_, analysis::analyse(figures_));
  }

  const std::vector<analysis::RunFigures> &figures() const { return figures_; }

  void report(std::ostream &log) const {
    log << "concur: wrote " << csv_.path() << " and " << summary_path_;
    if (trace_) log << ", the trace " << trace_->path();
    if (requests_) log << ", the requests " << requests_->path();
    if (!json_path_.empty()) log << ", the results document " << json_path_;
    log << '\n';
    if (timeline_) timeline_->warn_if_failed(log);
  }

 private:
  results::CsvWriter csv_;
  std::string summary_path_;
  std::unique_ptr<results::TraceWriter> trace_;
  std::unique_ptr<results::RequestsCsv> requests_;
  std::unique_ptr<results::TimelineWriter> timeline_;  // beside the runs CSV
  std::vector<analysis::RunFigures> figures_;
  std::string json_path_, experiment_;  // --json: rewritten whole after each run
  std::vector<analysis::RowCells> json_rows_;
};

// Speedup over the run's baseline (experiment/plan.hpp baselines_of) in the
// same repeat, once that has run, and parallel efficiency: speedup /
// min(peak_parallel, cores).
class Speedups {
 public:
  Speedups(const std::vector<int> &baselines, const std::vector<PlannedRun> &runs)
      : baselines_(baselines) {
    for (const PlannedRun &run : runs) labels_.push_back(label_of(run));
  }

  void apply(results::RunResult &r, size_t index) {
    const int base = baselines_[index];
    if (base < 0) return;
    r.baseline = labels_[static_cast<size_t>(base)];
    if (!r.ok() || r.wall_s <= 0) return;
    walls_.emplace(std::make_pair(r.repeat, index), r.wall_s);
    const auto found = walls_.find({r.repeat, static_cast<size_t>(base)});
    if (found == walls_.end()) return;
    r.speedup = found->second / r.wall_s;
    const int parallel = std::max(1, std::min(r.peak_parallel, r.cores));
    r.parallel_efficiency = r.speedup / parallel;
  }

 private:
  std::vector<int> baselines_;
  std::vector<std::string> labels_;
  std::map<std::pair<int, size_t>, double> walls_;  // by repeat and planned run
};

// The row's figures against the thresholds its configuration is held to: the
// `thresholds` cell, and what it missed (a failed run is not judged: it says
// why it failed instead).
std::vector<std::string> check_thresholds(results::RunResult &r,
                                          const std::vector<analysis::Threshold> &thresholds) {
  if (thresholds.empty() || !r.ok()) return {};
  auto missed = analysis::missed(thresholds, results::numeric_fields(r));
  r.thresholds = analysis::thresholds_cell(thresholds, missed);
  return missed;
}

size_t options_width(const std::vector<PlannedRun> &runs) {
  size_t width = 0;
  for (const auto &planned : runs) width = std::max(width, options_of(planned).size());
  return width;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int run_experiment(const config::Experiment &experiment, const RunOptions &options,
                   std::ostream &out, std::ostream &log) {
  const std::vector<PlannedRun> runs = plan(experiment);  // config errors surface before any work
  const std::vector<int> baselines = baselines_of(experiment, runs);
  Speedups speedups(baselines, runs);
  Session session(experiment, log);  // a broken hooks script is a config error, too
  Outputs outputs(experiment, options, log);
  session.open(log);
  session.warm_up(runs);
  const size_t width = options_width(runs);
  if (!options.quiet) results::print_summary_header(out, width, experiment.compute.has_value());
  std::optional<results::Progress> progress;
  if (!options.quiet)
    progress.emplace(log, options.terminal, static_cast<int>(runs.size()) * experiment.repeat,
                     options.progress_interval_s, experiment.compute ? "tasks" : "pages");
  if (progress) session.count_into(&progress->live());
  bool all_ok = true, stop = false;
  std::string server_gone;  // why the remaining runs are not started
  int skipped = 0;
  int run_index = 0, runs_missed = 0, runs_noisy = 0;
  const auto began = std::chrono::steady_clock::now();
  // The order (experiment/schedule.hpp) is fixed before the first run. A
  // script's mistake repeats in every run: stop at the first.
  for (const Slot &slot :
       schedule(experiment.order, baselines, experiment.repeat, experiment.server.seed)) {
    if (stop) break;
    const size_t i = slot.run;
    const double offset_s = seconds_since(began);
    // A server found gone is not asked again: every later run would fail the same way.
    if (!server_gone.empty()) {
      results::RunResult r = session.skipped(runs[i], slot.repeat, server_gone);
      r.position = run_index + 1;
      speedups.apply(r, i);
      outputs.add(r, ++run_index, offset_s, runs[i].thresholds);
      if (!options.quiet) results::print_summary_row(out, r, width);
      ++skipped;
      continue;
    }
    if (progress) progress->run_started(run_index + 1, label_of(runs[i]));
    results::RunResult r = session.run_single(runs[i], slot.repeat);
    r.position = run_index + 1;
    if (progress) progress->run_finished();
    if (crawl::is_unreachable(r.error)) server_gone = "not started: " + r.error;
    stop = outputs.refuses_columns(r, experiment.script) || session.script_failed();
    speedups.apply(r, i);
    const auto missed = check_thresholds(r, runs[i].thresholds);
    outputs.add(r, ++run_index, offset_s, runs[i].thresholds);
    if (!options.quiet) results::print_summary_row(out, r, width);
    out.flush();
    for (const std::string &m : missed)
      log << "concur: threshold missed: " << label_of(runs[i]) << " repeat " << slot.repeat << ": "
          << m << '\n';
    runs_missed += !missed.empty();
    runs_noisy += results::is_noisy(r.foreign_cpu_s, r.wall_s, r.cores);
    if (r.ok()) continue;
    all_ok = false;
    log << "concur: run failed: " << r.strategy << (r.options.empty() ? "" : " " + r.options)
        << ": " << r.error << '\n';
  }
  progress.reset();
  if (skipped > 0)
    log << "concur: the server was unreachable: the remaining " << skipped
        << " runs were not started (rows marked skipped)\n";
  if (!options.quiet && experiment.repeat >= 2)
    analysis::print_repeat_summary(out, analysis::analyse(outputs.figures()));
  outputs.report(log);
  if (runs_noisy > 0)
    log << "concur: " << runs_noisy << " of " << run_index
        << " runs shared the machine with other work (other processes took a tenth of its CPUs "
           "or more; the noisy column): rerun on a quiet machine before trusting small "
           "differences\n";
  const bool any_thresholds = std::any_of(
      runs.begin(), runs.end(), [](const PlannedRun &p) { return !p.thresholds.empty(); });
  if (any_thresholds && runs_missed > 0)
    log << "concur: thresholds missed in " << runs_missed << " of " << run_index << " runs\n";
  else if (any_thresholds)
    log << "concur: thresholds met in all " << run_index << " runs\n";
  return all_ok && runs_missed == 0 ? 0 : 1;
}

}  // namespace concur::experiment
