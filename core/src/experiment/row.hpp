// A run's row: the one place where a RunResult is filled, from what the run
// did (crawl::RunTotals), what was measured around it, and which run it was.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "crawl/crawl_run.hpp"
#include "crawl/server_counts.hpp"
#include "experiment/plan.hpp"
#include "results/run_result.hpp"
#include "results/usage.hpp"
#include "script/hooks.hpp"

namespace concur::experiment {

// Which run of the experiment this is.
struct RunStamp {
  std::string experiment;
  int repeat = 1;     // 1-based
  uint64_t seed = 0;  // the server's graph (0: unknown)
};

// Measured around the plugin's run.
struct Measured {
  double wall_s = 0;
  results::CpuTimes
      cpu;  // the process and its reaped children, the embedded server's thread excluded
  double max_rss_mb = 0;
  std::optional<crawl::ServerCounts> server;  // the server's own count of the run
  // The machine around the run (results/fingerprint.hpp): 1-minute load
  // average before and after, and CPU time other processes took meanwhile.
  double load_start = -1, load_end = -1, foreign_cpu_s = -1;
};

results::RunResult make_row(const PlannedRun &planned, const crawl::CrawlSettings &settings,
                            crawl::RunTotals totals, const Measured &measured,
                            const RunStamp &stamp);

// The run's row as hooks see it: the runs CSV's columns and values.
script::Row row_of(const results::RunResult &r);

}  // namespace concur::experiment
