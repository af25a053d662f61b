// Lanes of a run's timeline: every span belongs to a host worker, and spans
// that overlap on one worker (an event loop's requests in flight, a blocking
// worker's hedged copies) are spread over extra lanes of that worker, so every
// lane reads as a sequence. Shared by the trace (results/trace.cpp) and the
// timeline file (results/timeline.cpp).
#pragma once

#include <algorithm>
#include <map>
#include <vector>

namespace concur::results {

// One lane of a worker: its spans in start order, and when the last one ends.
template <class Span, class Time>
struct Lane {
  Time end{};
  std::vector<const Span *> spans;
};

// Interval partitioning: each span (in start order, ties in given order) goes
// to the first lane of its worker that is free at its start — a lane is free
// once its last span ended at or before it — else to a new lane. Uses as few
// lanes as the worker's peak overlap, and lane 0 gets the most work.
// `spans` is any container of spans; `span.worker` names the worker; `times(span)` gives {start,
// end}. Compare integer times where lanes must never overlap once written: two doubles that touch
// may round to overlapping microseconds.
template <class Spans, class Times>
auto lanes_by_worker(const Spans &spans, Times times) {
  using Span = typename Spans::value_type;
  using Time = decltype(times(spans.front()).first);
  std::vector<const Span *> sorted;
  sorted.reserve(spans.size());
  for (const auto &s : spans) sorted.push_back(&s);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const Span *a, const Span *b) { return times(*a).first < times(*b).first; });
  std::map<int, std::vector<Lane<Span, Time>>> lanes;
  for (const Span *s : sorted) {
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one.
    const auto bounds = times(*s);
    const auto start = bounds.first, end = bounds.second;
    auto &worker = lanes[s->worker];
    auto free = std::find_if(worker.begin(), worker.end(),
                             [&](const Lane<Span, Time> &l) { return l.end <= start; });
    if (free == worker.end()) free = worker.insert(worker.end(), Lane<Span, Time>{});
    free->end = std::max(end, start);
    free->spans.push_back(s);
  }
  return lanes;
}

}  // namespace concur::results
