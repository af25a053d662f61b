#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "results/lanes.hpp"
#include "results/timeline.hpp"

using namespace concur::results;

namespace {

// What the events below name pages by.
uint32_t page_index(const std::string &page) {
  static PageNames names;
  return names.intern(page).first;
}

Event request(int worker, const std::string &page, double start, double end, int attempt = 1,
              long status = 200) {
  return {.kind = Event::Kind::request,
          .worker = worker,
          .page = page_index(page),
          .attempt = attempt,
          .start_s = start,
          .end_s = end,
          .status = status,
          .bytes = 100};
}

Event solve(int worker, const std::string &page, double start, double end) {
  return {.kind = Event::Kind::solve,
          .worker = worker,
          .page = page_index(page),
          .start_s = start,
          .end_s = end,
          .cpu_s = end - start};
}

TimelineSpan span(int worker, SpanKind kind, long long start, long long end) {
  return {worker, kind, start, end};
}

// Lines by lane, each lane's in order: no line starts before the previous ended.
bool lanes_are_sequences(const std::vector<TimelineSpan> &lines) {
  std::map<int, long long> end_of;
  for (const auto &s : lines) {
    if (s.end_us < s.start_us) return false;
    auto [it, fresh] = end_of.try_emplace(s.lane, s.end_us);
    if (!fresh && s.start_us < it->second) return false;
    it->second = s.end_us;
  }
  return true;
}

}  // namespace

TEST_CASE("lanes: overlapping spans of a worker go to its first free lane", "[results]") {
  // Worker 0: a [0,10), b [5,8) overlaps a, c [8,12) starts as b ends (b's
  // lane is free), d [10,20) starts as a ends. Worker 1 has its own lanes.
  const std::vector<TimelineSpan> spans = {
      span(0, SpanKind::io, 0, 10), span(0, SpanKind::io, 5, 8), span(0, SpanKind::io, 8, 12),
      span(0, SpanKind::io, 10, 20), span(1, SpanKind::cpu, 0, 30)};
  const auto lanes =
      lanes_by_worker(spans, [](const TimelineSpan &s) { return std::pair(s.start_us, s.end_us); });
  REQUIRE(lanes.size() == 2);
  const auto &w0 = lanes.at(0);
  REQUIRE(w0.size() == 2);  // the peak overlap
  CHECK(w0[0].spans == std::vector<const TimelineSpan *>{&spans[0], &spans[3]});
  CHECK(w0[1].spans == std::vector<const TimelineSpan *>{&spans[1], &spans[2]});
  CHECK(lanes.at(1).size() == 1);
}

TEST_CASE("timeline spans: kinds from the events, queued between workers", "[results]") {
  RunResult run;
  run.wall_s = 1;
  run.events = {
      request(0, "a", 0.0, 0.1),                          // io
      request(0, "b", 0.1, 0.2, 1, 500),                  // io: a first attempt that failed
      request(0, "b", 0.2, 0.3, 2),                       // retry
      request(1, "c", 0.0, 0.4),                          // io: the first copy
      request(2, "c", 0.05, 0.15, 1, Event::kCancelled),  // retry: a hedged copy
      solve(0, "a", 0.1, 0.12),                           // same worker: not queued
      solve(3, "b", 0.5, 0.6),                            // b waited 0.3 to 0.5 for worker 3
  };
  std::map<SpanKind, int> kinds;
  for (const auto &s : timeline_spans(run)) {
    ++kinds[s.kind];
    if (s.kind == SpanKind::queued) {
      CHECK(s.worker == kQueueWorker);
      CHECK(s.start_us == 300000);
      CHECK(s.end_us == 500000);
    }
  }
  CHECK(kinds[SpanKind::io] == 3);
  CHECK(kinds[SpanKind::retry] == 2);
  CHECK(kinds[SpanKind::cpu] == 2);
  CHECK(kinds[SpanKind::queued] == 1);
}

TEST_CASE("merging at a resolution: near spans join, kinds kept where wide", "[results]") {
  const std::vector<TimelineSpan> spans = {
      span(0, SpanKind::io, 0, 100), span(0, SpanKind::io, 105, 200),  // gap 5: join
      span(0, SpanKind::cpu, 201, 203),                                // narrow: absorbed
      span(0, SpanKind::cpu, 204, 400),  // wide and another kind: its own line
      span(0, SpanKind::io, 500, 600)};  // gap 100: its own line
  const auto lines = pack_and_merge(spans, 10);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].kind == SpanKind::io);
  CHECK(lines[0].start_us == 0);
  CHECK(lines[0].end_us == 203);
  CHECK(lines[0].count == 3);
  CHECK(lines[1].kind == SpanKind::cpu);
  CHECK(lines[1].count == 1);
  CHECK(lines[2].start_us == 500);
  CHECK(lanes_are_sequences(lines));
}

TEST_CASE("a narrow line takes the kind that covers most of it", "[results]") {
  const std::vector<TimelineSpan> spans = {span(0, SpanKind::io, 0, 2),
                                           span(0, SpanKind::cpu, 2, 9)};
  const auto lines = pack_and_merge(spans, 100);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].kind == SpanKind::cpu);
  CHECK(lines[0].count == 2);
}

TEST_CASE("a lane holds at most 2 E / resolution + 1 lines", "[results]") {
  // 10,000 pages one after another: a 90 µs fetch, a 10 µs solve, a 3 µs gap.
  std::vector<TimelineSpan> spans;
  for (long long t = 0, i = 0; i < 10000; ++i, t += 103) {
    spans.push_back(span(0, SpanKind::io, t, t + 90));
    spans.push_back(span(0, SpanKind::cpu, t + 90, t + 100));
  }
  const long long extent = 10000 * 103;
  for (long long resolution : {1LL, 50LL, 1000LL, extent / 2048}) {
    const auto lines = pack_and_merge(spans, resolution);
    CHECK(lines.size() <= static_cast<size_t>(2 * extent / resolution + 1));
    CHECK(lanes_are_sequences(lines));
    long events = 0;
    for (const auto &l : lines) events += l.count;
    CHECK(events == 20000);  // every event accounted for
  }
}

TEST_CASE("a run's timeline stays bounded: 1000 pages, 400 in flight", "[results]") {
  RunResult run;
  run.wall_s = 3.0;
  // An event loop (worker 0) keeps 400 requests in flight, each 50 to 500 ms,
  // with a retry now and then; an executor (worker 1) solves each page.
  double t = 0;
  for (int i = 0; i < 1000; ++i) {
    const double start = t + (i % 400) * 0.0001, end = start + 0.05 + (i % 10) * 0.05;
    const std::string page = "p" + std::to_string(i);
    run.events.push_back(request(0, page, start, end));
    if (i % 7 == 0) run.events.push_back(request(0, page, end, end + 0.05, 2));
    run.events.push_back(solve(1, page, end + 0.06, end + 0.061));
    if (i % 400 == 399) t += 0.6;
  }
  int lanes = 0;
  long omitted = 0;
  const auto lines = bounded_timeline(run, lanes, omitted);
  CHECK(lanes >= 400);
  CHECK(omitted == 0);
  CHECK(lines.size() <= kMaxLinesPerRun);
  CHECK(lanes_are_sequences(lines));
}

TEST_CASE("lanes that do not fit are left out whole, and counted", "[results]") {
  RunResult run;
  run.wall_s = 1.0;
  // 10,000 requests at once: 10,000 lanes of one span each, past any merging.
  for (int i = 0; i < 10000; ++i)
    run.events.push_back(request(0, "p" + std::to_string(i), 0.0001 * (i % 3), 0.5));
  int lanes = 0;
  long omitted = 0;
  const auto lines = bounded_timeline(run, lanes, omitted);
  CHECK(lanes == 10000);
  CHECK(lines.size() == kMaxLinesPerRun);
  CHECK(omitted == 10000 - static_cast<long>(kMaxLinesPerRun));
  CHECK(lines.back().lane == static_cast<int>(kMaxLinesPerRun) - 1);
}

TEST_CASE("a worker doing several things at once has its CPU work on its first lanes",
          "[results]") {
  // Worker 0, an event loop: requests overlap, and it solves inline between
  // them. Worker 1, a thread: one thing at a time, one lane for all of it.
  const std::vector<TimelineSpan> spans = {
      span(0, SpanKind::io, 0, 100),    span(0, SpanKind::io, 10, 300),
      span(0, SpanKind::cpu, 100, 150), span(0, SpanKind::io, 120, 200),
      span(0, SpanKind::cpu, 200, 260), span(1, SpanKind::io, 0, 50),
      span(1, SpanKind::cpu, 50, 80)};
  const auto lines = pack_and_merge(spans, 1);
  CHECK(lanes_are_sequences(lines));
  std::map<int, std::set<SpanKind>> kinds_of;
  for (const auto &l : lines) kinds_of[l.lane].insert(l.kind);
  REQUIRE(kinds_of.size() == 4);  // worker 0: a CPU lane and two of requests; worker 1: one
  CHECK(kinds_of[0] == std::set<SpanKind>{SpanKind::cpu});
  CHECK(kinds_of[1] == std::set<SpanKind>{SpanKind::io});
  CHECK(kinds_of[2] == std::set<SpanKind>{SpanKind::io});
  CHECK(kinds_of[3] == std::set<SpanKind>{SpanKind::io, SpanKind::cpu});
}

TEST_CASE("a solve's declared waits are I/O, at the end of its span", "[results]") {
  RunResult run;
  run.wall_s = 1;
  Event e = solve(0, "t1", 0.0, 0.5);
  e.wait_s = 0.4;  // concur.sleep(0.4) in a 0.5 s task
  run.events = {e, solve(0, "t2", 0.5, 0.6)};
  const auto spans = timeline_spans(run);
  REQUIRE(spans.size() == 3);
  CHECK(spans[0].kind == SpanKind::cpu);
  CHECK(spans[0].end_us == 100000);
  CHECK(spans[1].kind == SpanKind::io);
  CHECK(spans[1].start_us == 100000);
  CHECK(spans[1].end_us == 500000);
  CHECK(spans[2].kind == SpanKind::cpu);
}
