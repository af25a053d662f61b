// An outside program run as a measured, bounded process group: what the
// command strategy sees of a crawler it cannot look inside.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "results/usage.hpp"

namespace concur::experiment {

struct ProgramRun {
  int exit_code = -1;      // when it exited; -1 when a signal ended it
  int signal = 0;          // the signal that ended it, 0 when it exited
  bool timed_out = false;  // stopped by us at its timeout
  double wall_s = 0;
  // CPU time of the program and of every descendant it waited for, as the
  // kernel sums them for wait4(): a child it never waited for is not counted.
  results::CpuTimes cpu;
  // The most memory its process group held at once, sampled every 50 ms, or
  // its largest process's own peak when that is more.
  double peak_rss_mb = 0;
  int left_behind = 0;                   // processes of its group still alive once it ended: killed
  std::string stdout_tail, stderr_tail;  // the last lines of each, at most ~2 KB
};

// Runs `line` with /bin/sh -c in a process group of its own, its environment
// ours plus `env`; stdout and stderr to files of their own. Past `timeout_s`
// the group gets SIGTERM, and SIGKILL 2 s later; when the program ends, any
// process still in its group is killed, so nothing outlives the run.
// `every_sample` (may be empty) runs at each sample, on this thread.
// std::runtime_error when it cannot be started.
ProgramRun run_program(const std::string &line,
                       const std::vector<std::pair<std::string, std::string>> &env,
                       double timeout_s, const std::function<void()> &every_sample = {});

}  // namespace concur::experiment
