// The timeline file: where each run's time went, one line per span of a lane,
// written beside the runs CSV (results/x.csv -> results/x.timeline.csv) as
// each run ends, and drawn by `concur report` (report/timeline.cpp).
//
//   run,lane,worker,kind,start_us,end_us,count
//
// run: the run's index, 1-based, in the runs CSV's row order (the trace's
// run). Each run opens with one line of kind `run`: lane and worker -1,
// start_us 0, end_us its wall time, count its lanes. Then its spans, lane by
// lane, in time order: lane 0, 1 ... within the run, worker by worker; worker
// the host worker whose lane it is, or -1 for the queue's lanes; kind one of
//   io      waiting on a request (the first copy of a page's first attempt),
//           or the waits a compute kernel declared (concur.sleep), at the end
//           of its span: when within it they happened is not recorded
//   cpu     solving a work unit (its span: it may include waiting for a core)
//   queued  a page fetched by one worker, waiting for another to solve it
//           (on the queue's lanes: a waiting page is on no worker)
//   retry   a repeated attempt, a hedged copy, or a copy cancelled once its
//           twin had won
// start_us/end_us: microseconds since the run started; on one lane a span
// never starts before the previous one ended. count: the events the line
// stands for.
//
// Bounded: spans on a lane closer than the resolution merge — of one kind
// always, of different kinds when one of them is narrower than the resolution
// (the merged line takes the kind that covers most of it). The resolution
// starts at wall / 65536 (finer than any picture of the run) and doubles
// while the run needs more than kMaxLinesPerRun lines, up to wall / 16; the
// lanes that still do not fit are left out, and one line of kind `omitted`
// (lane: the first left out, count: its events and the rest's) says so.
#pragma once

#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "results/run_result.hpp"

namespace concur::results {

enum class SpanKind { io, cpu, queued, retry };
const char *span_kind_name(SpanKind kind);

struct TimelineSpan {
  int worker = 0;
  SpanKind kind = SpanKind::io;
  long long start_us = 0, end_us = 0;
  long count = 1;  // events it stands for
  int lane = 0;    // within the run, once packed
};

constexpr int kQueueWorker = -1;          // the worker of queued spans
constexpr int kTimelineCells = 65536;     // the finest resolution: wall / this
constexpr size_t kMaxLinesPerRun = 4096;  // ~120 KB

// The run's events as spans (kinds above), not yet on lanes.
std::vector<TimelineSpan> timeline_spans(const RunResult &run);

// `spans` on lanes (worker by worker, in worker order), each lane merged at
// `resolution_us`; sorted by lane, then start.
std::vector<TimelineSpan> pack_and_merge(const std::vector<TimelineSpan> &spans,
                                         long long resolution_us);

// What the file holds for a run: pack_and_merge at the coarsest resolution
// needed to fit kMaxLinesPerRun (see above); `lanes` gets the run's lane
// count, `omitted` the events of lanes left out.
std::vector<TimelineSpan> bounded_timeline(const RunResult &run, int &lanes, long &omitted);

class TimelineWriter {
 public:
  // Truncates `path` (parent folders created). Throws std::runtime_error.
  explicit TimelineWriter(const std::string &path);
  void add_run(const RunResult &run, int run_index);
  const std::string &path() const { return path_; }
  // A write that failed (a full disk) leaves the file short: said once, at the
  // end, as the runs CSV is what the experiment stands on.
  void warn_if_failed(std::ostream &log) const;

 private:
  std::string path_;
  std::ofstream out_;
};

// "results/x.csv" -> "results/x.timeline.csv".
std::string timeline_path_for(const std::string &runs_path);
// The writer beside a runs CSV that is a regular file; none beside a device
// (-o /dev/stdout, /dev/full).
std::unique_ptr<TimelineWriter> timeline_beside(const std::string &runs_path);

}  // namespace concur::results
