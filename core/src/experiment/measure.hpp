// One measured run: a plugin's run() against a fresh crawl, with wall time,
// CPU time, peak memory and the server's own count around it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crawl/crawl_run.hpp"
#include "experiment/plan.hpp"
#include "experiment/row.hpp"
#include "results/run_result.hpp"
#include "script/hooks.hpp"

namespace concur::server {
class Server;
}

namespace concur::experiment {

// What a run's hooks left behind: every worker's Lua state, for done(), and
// Lua's traceback when a hook ended the run.
struct ScriptOutcome {
  std::vector<std::unique_ptr<script::WorkerHooks>> workers;
  std::string traceback;
};

// One measured run, its row filled (make_row). `embedded` (may be null) is
// reset first so every run meets the same failures, and its CPU time is
// subtracted from the run's. The experiment's own hooks (done, on_result) are
// Session's business; `script` receives what they need.
// `observer` (may be null) is told of each task as it completes.
results::RunResult run_once(const PlannedRun &planned, const crawl::CrawlSettings &settings,
                            server::Server *embedded, const RunStamp &stamp = {},
                            ScriptOutcome *script = nullptr,
                            crawl::TaskObserver *observer = nullptr);

}  // namespace concur::experiment
