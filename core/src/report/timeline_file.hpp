// Reads the timeline file `concur run` writes beside its runs CSV (format:
// results/timeline.hpp). Bytes from disk, so everything is checked: a problem
// is a ReadError naming the file and row, and no value can make the report
// allocate beyond its limits (lanes, runs).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "report/csv_reader.hpp"
#include "results/timeline.hpp"

namespace concur::report {

constexpr int kMaxTimelineLanes = 65536;
constexpr long long kMaxTimelineUs = 1'000'000'000'000'000;  // ~31 years

struct TimelineRun {
  long long wall_us = -1;  // from its `run` line; -1: the file has none
  int lanes = 0;           // the run line's count, or past the highest lane seen
  int first_omitted = -1;  // from an `omitted` line: lanes from here on left out
  long omitted_events = 0;
  std::vector<results::TimelineSpan> spans;  // in file order
};

struct TimelineFile {
  std::map<int, TimelineRun> runs;  // by run index (1-based)
};

TimelineFile parse_timeline(std::string_view text, const std::string &source);
TimelineFile read_timeline(const std::string &path);

}  // namespace concur::report
