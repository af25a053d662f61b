// The live progress of an experiment on stderr: run i/n, pages (or tasks), per s,
// failed pages, ETA. On a terminal one line rewritten in place; otherwise a
// plain line when each run starts and every `interval` seconds within it.
// `--quiet` means no Progress at all.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

namespace concur::results {

// Updated by the crawl as pages complete (any thread), read by Progress.
struct LiveCounts {
  std::atomic<long> pages_ok{0}, pages_failed{0};
};

class Progress {
 public:
  // `unit`: what a run completes, "pages" (a crawl) or "tasks" (a compute experiment).
  Progress(std::ostream &err, bool terminal, int runs_total, double interval_s,
           std::string unit = "pages");
  ~Progress();  // stops the reporting thread, clears the line
  Progress(const Progress &) = delete;
  Progress &operator=(const Progress &) = delete;

  LiveCounts &live() { return live_; }
  // Before a run: resets the counts; `label` names the configuration.
  void run_started(int index, const std::string &label);
  // After a run, before its summary row is printed: clears a terminal's line.
  void run_finished();

 private:
  void loop();
  std::string line() const;                // under mutex_
  std::string start_line() const;          // under mutex_: a log's line as a run begins
  std::string prefix() const;              // "concur: run i/n label"
  std::string eta(double in_run_s) const;  // ", ETA m:ss" once a run has ended

  std::ostream &err_;
  const bool terminal_;
  const int runs_total_;
  const std::chrono::duration<double> interval_;
  const std::string unit_;
  LiveCounts live_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false, running_ = false;
  int index_ = 0, runs_done_ = 0;
  std::string label_;
  std::chrono::steady_clock::time_point began_, run_began_;
  double finished_s_ = 0;  // wall time of the runs finished so far
  std::thread thread_;
};

}  // namespace concur::results
