// One run of the command strategy: the program started, bounded and measured
// from outside (experiment/program.hpp), and what it did read from the
// embedded server's own counts, never from the program's word: pages answered,
// requests, connections, and which puzzles it never answered.
#pragma once

#include <string>
#include <vector>

#include "crawl/crawl_run.hpp"
#include "experiment/plan.hpp"
#include "experiment/program.hpp"
#include "experiment/row.hpp"
#include "results/lower_bound.hpp"
#include "results/run_result.hpp"

namespace concur::server {
class Server;
}

namespace concur::experiment {

struct CommandOutcome {
  crawl::RunTotals totals;  // counts from the server's side; no events, no latencies
  Measured measured;        // wall, CPU and memory of the program's process group
  ProgramRun program;
  std::string line;  // the program line, placeholders filled
  double timeout_s = 0;
  // Puzzle pages it fetched whose hidden links it never requested.
  long puzzles_served = 0;
  std::vector<std::string> unsolved;
  results::RunBound bound;
};

// `observer` (may be null) is told of each page the server answered, as the
// progress line counts them.
CommandOutcome run_command(const PlannedRun &planned, const crawl::CrawlSettings &settings,
                           server::Server &embedded, uint64_t seed,
                           crawl::TaskObserver *observer = nullptr);

// The program's part of the row made from `outcome` (make_row): its line, its
// bound, and why it failed — timeout, exit status, unsolved puzzles.
void judge_command(results::RunResult &r, const CommandOutcome &outcome);

}  // namespace concur::experiment
