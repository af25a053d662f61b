#include "results/timeline.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "results/lanes.hpp"
#include "results/output_file.hpp"

namespace concur::results {
namespace {

bool fetched(const Event &e) {
  return e.kind == Event::Kind::request && e.status >= 200 && e.status < 300;
}

// Events in start order (a RunResult keeps them so; a test may not).
std::vector<const Event *> by_start(const Events &events) {
  std::vector<const Event *> sorted;
  for (const auto &e : events) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Event *a, const Event *b) { return a->start_s < b->start_s; });
  return sorted;
}

TimelineSpan span_of(int worker, SpanKind kind, double start_s, double end_s) {
  const long long start = micros(start_s);
  return {worker, kind, start, std::max(start, micros(end_s))};
}

// A solve, and the waits its kernel declared (a Lua kernel's concur.sleep):
// those are I/O, not CPU — drawn at the end of its span, as when within it they
// happened is not recorded.
void add_solve(const Event &e, std::vector<TimelineSpan> &spans) {
  const TimelineSpan whole = span_of(e.worker, SpanKind::cpu, e.start_s, e.end_s);
  const long long waited = std::clamp(micros(e.wait_s), 0LL, whole.end_us - whole.start_us);
  if (waited == 0) {
    spans.push_back(whole);
    return;
  }
  if (whole.end_us - waited > whole.start_us)
    spans.push_back({e.worker, SpanKind::cpu, whole.start_us, whole.end_us - waited});
  spans.push_back({e.worker, SpanKind::io, whole.end_us - waited, whole.end_us});
}

// A page fetched by one worker and solved by another waited in between: from
// its last successful fetch to its first solve. On lanes of its own (worker
// kQueueWorker): a waiting page is on no worker — the producer, or the event
// loop, went on — and those lanes show how many waited at once.
void add_queued(const std::vector<const Event *> &events, std::vector<TimelineSpan> &spans) {
  std::unordered_map<uint32_t, const Event *> fetch, solve;  // by page
  for (const Event *e : events) {
    if (fetched(*e) && (!fetch.count(e->page) || fetch[e->page]->end_s < e->end_s))
      fetch[e->page] = e;
    if (e->kind == Event::Kind::solve) solve.try_emplace(e->page, e);  // the first
  }
  for (const auto &[page, s] : solve) {
    const auto f = fetch.find(page);
    if (f == fetch.end() || f->second->worker == s->worker || s->start_s <= f->second->end_s)
      continue;
    spans.push_back(span_of(kQueueWorker, SpanKind::queued, f->second->end_s, s->start_s));
  }
}

// A lane's spans (in start order) at `resolution_us`: a span joins the one
// before it when the gap is under the resolution and they are of one kind, or
// either is narrower than the resolution; the joined line takes the kind that
// covers most of it. So each line is at least the resolution wide or followed
// by a gap that is: a lane of extent E holds at most 2E / resolution + 1.
void merge_lane(const std::vector<TimelineSpan> &lane, int index, long long resolution_us,
                std::vector<TimelineSpan> &out) {
  TimelineSpan open;
  std::array<long long, 4> covered{};  // by kind
  bool have = false;
  for (const TimelineSpan &span : lane) {
    const TimelineSpan *s = &span;
    const long long width = s->end_us - s->start_us;
    if (have) {
      const bool near = s->start_us - open.end_us < resolution_us;
      const bool narrow = width < resolution_us || open.end_us - open.start_us < resolution_us;
      if (near && (s->kind == open.kind || narrow)) {
        open.end_us = std::max(open.end_us, s->end_us);
        open.count += s->count;
        covered[static_cast<size_t>(s->kind)] += width;
        const auto most = std::max_element(covered.begin(), covered.end());
        if (*most > covered[static_cast<size_t>(open.kind)])
          open.kind = static_cast<SpanKind>(most - covered.begin());
        continue;
      }
      out.push_back(open);
    }
    open = *s;
    open.lane = index;
    covered = {};
    covered[static_cast<size_t>(s->kind)] = width;
    have = true;
  }
  if (have) out.push_back(open);
}

using Lanes = std::map<int, std::vector<Lane<TimelineSpan, long long>>>;
using PackedLanes = std::vector<std::vector<TimelineSpan>>;

Lanes lanes_of(const std::vector<TimelineSpan> &spans) {
  return lanes_by_worker(spans,
                         [](const TimelineSpan &s) { return std::pair(s.start_us, s.end_us); });
}

void append(const Lanes &lanes, int worker, PackedLanes &out) {
  const auto it = lanes.find(worker);
  if (it == lanes.end()) return;
  for (const auto &lane : it->second) {
    out.emplace_back();
    for (const TimelineSpan *s : lane.spans) out.back().push_back(*s);
  }
}

// Worker by worker (in id order), each worker's lanes in order. A worker
// doing one thing at a time (a thread, a process) has one lane. One doing
// several (an event loop with requests in flight, a thread's hedged copies)
// has its own CPU work first, on lanes of its own, then the rest: what the
// thread computed reads apart from what it waited on.
PackedLanes pack(const std::vector<TimelineSpan> &spans) {
  std::vector<TimelineSpan> cpu, rest;
  for (const auto &s : spans) (s.kind == SpanKind::cpu ? cpu : rest).push_back(s);
  const Lanes together = lanes_of(spans), cpu_lanes = lanes_of(cpu), rest_lanes = lanes_of(rest);
  PackedLanes out;
  for (const auto &[worker, lanes] : together) {
    if (lanes.size() == 1) {
      append(together, worker, out);
      continue;
    }
    append(cpu_lanes, worker, out);
    append(rest_lanes, worker, out);
  }
  return out;
}

std::vector<TimelineSpan> merge(const PackedLanes &lanes, long long resolution_us) {
  std::vector<TimelineSpan> out;
  for (size_t i = 0; i < lanes.size(); ++i)
    merge_lane(lanes[i], static_cast<int>(i), resolution_us, out);
  return out;
}

}  // namespace

const char *span_kind_name(SpanKind kind) {
  switch (kind) {
    case SpanKind::io:
      return "io";
    case SpanKind::cpu:
      return "cpu";
    case SpanKind::queued:
      return "queued";
    case SpanKind::retry:
      return "retry";
  }
  return "io";
}

std::vector<TimelineSpan> timeline_spans(const RunResult &run) {
  const std::vector<const Event *> events = by_start(run.events);
  std::vector<TimelineSpan> spans;
  std::set<std::pair<uint32_t, int>> attempts;  // (page, attempt) whose first copy was seen
  for (const Event *e : events) {
    if (e->kind == Event::Kind::solve) {
      add_solve(*e, spans);
      continue;
    }
    const bool first_copy = attempts.emplace(e->page, e->attempt).second;
    const bool wasted = e->attempt > 1 || !first_copy || e->status == Event::kCancelled;
    spans.push_back(
        span_of(e->worker, wasted ? SpanKind::retry : SpanKind::io, e->start_s, e->end_s));
  }
  add_queued(events, spans);
  return spans;
}

std::vector<TimelineSpan> pack_and_merge(const std::vector<TimelineSpan> &spans,
                                         long long resolution_us) {
  return merge(pack(spans), std::max(1LL, resolution_us));
}

std::vector<TimelineSpan> bounded_timeline(const RunResult &run, int &lanes, long &omitted) {
  const std::vector<TimelineSpan> spans = timeline_spans(run);
  long long extent = micros(run.wall_s);
  for (const auto &s : spans) extent = std::max(extent, s.end_us);
  const PackedLanes packed = pack(spans);
  lanes = static_cast<int>(packed.size());
  long long resolution = std::max(1LL, extent / kTimelineCells);
  std::vector<TimelineSpan> out = merge(packed, resolution);
  while (out.size() > kMaxLinesPerRun && resolution < extent / 16) {
    resolution *= 2;
    out = merge(packed, resolution);
  }
  omitted = 0;
  if (out.size() > kMaxLinesPerRun) {  // whole lanes only: cut where the last one that fits ends
    size_t keep = kMaxLinesPerRun;
    while (keep > 0 && out[keep].lane == out[keep - 1].lane) --keep;
    for (size_t i = keep; i < out.size(); ++i) omitted += out[i].count;
    out.resize(keep);
  }
  return out;
}

TimelineWriter::TimelineWriter(const std::string &path) : path_(path), out_(open_truncated(path)) {
  out_ << "run,lane,worker,kind,start_us,end_us,count\n";
  out_.flush();
}

void TimelineWriter::add_run(const RunResult &run, int run_index) {
  int lanes = 0;
  long omitted = 0;
  const std::vector<TimelineSpan> spans = bounded_timeline(run, lanes, omitted);
  out_ << run_index << ",-1,-1,run,0," << micros(run.wall_s) << ',' << lanes << '\n';
  for (const auto &s : spans)
    out_ << run_index << ',' << s.lane << ',' << s.worker << ',' << span_kind_name(s.kind) << ','
         << s.start_us << ',' << s.end_us << ',' << s.count << '\n';
  if (omitted > 0) {
    const int first = spans.empty() ? 0 : spans.back().lane + 1;
    out_ << run_index << ',' << first << ",-1,omitted,0," << micros(run.wall_s) << ',' << omitted
         << '\n';
  }
  out_.flush();
}

void TimelineWriter::warn_if_failed(std::ostream &log) const {
  if (!out_) log << "concur: warning: could not write the whole timeline " << path_ << '\n';
}

std::string timeline_path_for(const std::string &runs_path) {
  return results_stem(runs_path) + ".timeline.csv";
}

std::unique_ptr<TimelineWriter> timeline_beside(const std::string &runs_path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(runs_path, ec)) return nullptr;
  return std::make_unique<TimelineWriter>(timeline_path_for(runs_path));
}

}  // namespace concur::results
