// Per-run timelines out of the runner: a Chrome Trace Event file (--trace,
// openable in Perfetto or chrome://tracing) and a per-request CSV (--requests).
// Both are written as each run ends, from the run's recorded events.
#pragma once

#include <fstream>
#include <string>

#include "results/run_result.hpp"

namespace concur::results {

// One process per run ("threads workers=4 · repeat 2"), one lane per worker.
// Spans on a worker that overlap — an event loop's requests in flight — go to
// extra lanes of that worker ("worker 0 +1" ...), so every lane is a sequence,
// the picture the course draws as "Thread 1: [====] [====]". Spans: fetch
// (status in args), solve, cancelled (a hedged copy stopped), and wait: a gap
// of at least 1 ms between a worker's spans on its first lane.
class TraceWriter {
 public:
  // Truncates `path` (parent folders created). Throws std::runtime_error.
  explicit TraceWriter(const std::string &path);
  ~TraceWriter();  // closes the JSON array
  TraceWriter(const TraceWriter &) = delete;
  TraceWriter &operator=(const TraceWriter &) = delete;
  // `run_index` 1, 2 ...; `offset_s`: when the run started, in seconds since
  // the experiment began, so runs follow each other on one time axis.
  void add_run(const RunResult &run, int run_index, double offset_s);
  const std::string &path() const { return path_; }

 private:
  void event(const std::string &json);
  std::string path_;
  std::ofstream out_;
  bool first_ = true;
};

// run, repeat, strategy, options, worker, url, page, page_type, attempt,
// status, start_ms, end_ms, bytes — one row per request, times since the run
// began; status -1 is a hedged copy cancelled once a twin had won.
class RequestsCsv {
 public:
  explicit RequestsCsv(const std::string &path);
  void add_run(const RunResult &run, int run_index);
  const std::string &path() const { return path_; }

 private:
  std::string path_;
  std::ofstream out_;
};

}  // namespace concur::results
