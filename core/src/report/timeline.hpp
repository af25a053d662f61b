// "Where time went": the course's picture of concurrency — lanes of work over
// time — drawn from a run's timeline file (results/timeline.hpp). One lane per
// worker lane (a thread, a process, a fiber's worker, or one of an event
// loop's requests in flight), spans coloured by kind.
//
// Readable and small at any size: the lanes are rasterised to pixel columns,
// and each column of a lane stacks the share of it each kind covered (a span
// narrower than a pixel is a shorter bar, never a lost one), run-length
// encoded into one SVG path per kind. Beyond kMaxLanesDrawn lanes, a row is a
// group of lanes and its bars the share of the group busy: a utilisation band.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "analysis/analysis.hpp"
#include "report/timeline_file.hpp"

namespace concur::report {

constexpr int kMaxLanesDrawn = 64;

// One run's swimlane SVG, its first line `caption`.
std::string timeline_chart(const std::string &caption, const TimelineRun &run);

// The report's section: the timeline file beside the runs CSV, and for each
// of the analysis' configurations the chart of its median run by wall time
// (`runs`: the CSV's rows, in order). Says so, and goes on, when the file is
// missing, unreadable or from another experiment.
void timeline_section(std::ostream &out, const std::string &runs_csv,
                      const std::vector<analysis::RunFigures> &runs, const analysis::Analysis &a);

}  // namespace concur::report
