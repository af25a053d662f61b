#include "experiment/session.hpp"

#include "experiment/measure.hpp"
#include "experiment/row.hpp"

namespace concur::experiment {
namespace {

std::shared_ptr<const script::HookScript> load_hooks(const config::Experiment &experiment) {
  if (experiment.script.empty()) return nullptr;
  return script::HookScript::load(experiment.script);
}

}  // namespace

Session::Session(const config::Experiment &experiment, std::ostream &log)
    : experiment_(experiment),
      log_(log),
      hooks_(load_hooks(experiment)),
      main_hooks_(hooks_ ? std::make_unique<script::MainHooks>(hooks_) : nullptr) {}

void Session::open(std::ostream &announcements, server::Server *embedded) {
  target_ = std::make_unique<Target>(experiment_, announcements);
  embedded_ = embedded != nullptr ? embedded : target_->embedded();
  settings_ = target_->settings();
  settings_.hooks = hooks_;
  settings_.run_info.seed = target_->seed();
}

Session::~Session() = default;

void Session::warm_up(const std::vector<PlannedRun> &runs) {
  for (int w = 0; w < experiment_.warmup; ++w)
    for (const auto &planned : runs) run_once(planned, settings_, embedded_);
}

results::RunResult Session::run_single(const PlannedRun &planned, int repeat) {
  ScriptOutcome outcome;
  results::RunResult r =
      run_once(planned, settings_, embedded_, {experiment_.name, repeat, target_->seed()}, &outcome,
               counter_.live != nullptr ? &counter_ : nullptr);
  run_hooks(r, outcome);
  return r;
}

results::RunResult Session::skipped(const PlannedRun &planned, int repeat,
                                    const std::string &why) const {
  results::RunResult r =
      make_row(planned, settings_, {}, {}, {experiment_.name, repeat, target_->seed()});
  r.status = results::RunStatus::skipped;
  r.error = why;
  r.validity = {{"skipped", "not started: the server was unreachable in an earlier run"}};
  r.coverage = -1;
  r.pages_known = -1;
  return r;
}

void Session::run_hooks(results::RunResult &r, ScriptOutcome &outcome) {
  auto fail = [&](const std::string &error, const std::string &traceback) {
    r.fail(error);
    log_ << "concur: " << error << "\n" << traceback << "\n";
    script_failed_ = true;
  };
  if (!outcome.traceback.empty()) {
    fail(r.error, outcome.traceback);  // a hook ended the run: no on_result, no done
    return;
  }
  if (main_hooks_ == nullptr) return;
  try {
    // done() first: it can gather the workers' figures into a global that
    // on_result() then turns into columns.
    const script::Row row = row_of(r);
    main_hooks_->done(row, outcome.workers);
    outcome.workers.clear();  // the worker states go before on_result, which cannot see them
    r.extra_columns = main_hooks_->on_result(row);
  } catch (const script::ScriptError &e) {
    fail(e.what(), e.traceback().empty() ? "(no Lua traceback)" : e.traceback());
  }
}

}  // namespace concur::experiment
