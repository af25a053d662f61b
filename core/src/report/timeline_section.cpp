// The report's "Where time went" section (report/timeline.hpp): which run of
// each configuration to draw, and what to say when there is nothing to draw.
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "report/svg.hpp"
#include "report/timeline.hpp"
#include "results/timeline.hpp"

namespace concur::report {
namespace {

// A configuration and its runs that succeeded: (wall_s, row of the runs CSV).
struct Config {
  std::string label;
  std::vector<std::pair<double, size_t>> ok_runs;
  bool outside = false;  // an outside program: concur does not see its workers
};

// The analysis' configurations (its labels: only what varies), in the order
// they first ran.
std::vector<Config> configurations(const std::vector<analysis::RunFigures> &runs,
                                   const analysis::Analysis &a) {
  std::vector<Config> configs;
  for (const analysis::ConfigSummary &c : a.configs) {
    Config config{c.label, {}};
    for (size_t row : c.runs) {
      if (row < runs.size() && runs[row].ok) config.ok_runs.emplace_back(runs[row].wall_s, row);
      if (row < runs.size() && runs[row].outside) config.outside = true;
    }
    configs.push_back(std::move(config));
  }
  return configs;
}

std::string note(const std::string &text) {
  return "<p class=\"meta\">" + html_escape(text) + "</p>";
}

// The configuration's median run by wall time (of an even count, the faster
// of the middle two: a run that happened), drawn; or why not.
std::string median_chart(Config c, const TimelineFile &file) {
  std::string out = "<h3>" + html_escape(c.label) + "</h3>";
  if (c.outside)
    return out + note(
                     "An outside program (plugin: command): concur sees its process from "
                     "outside and its pages from the server's side, not its workers.");
  if (c.ok_runs.empty()) return out + note("No run of it succeeded: nothing to draw.");
  std::sort(c.ok_runs.begin(), c.ok_runs.end());
  const auto [wall_s, row] = c.ok_runs[(c.ok_runs.size() - 1) / 2];
  const int index = static_cast<int>(row) + 1;
  const auto it = file.runs.find(index);
  if (it == file.runs.end() || it->second.wall_us < 0)
    return out + note("The timeline has no run " + std::to_string(index) + ".");
  const TimelineRun &run = it->second;
  if (std::fabs(static_cast<double>(run.wall_us) - wall_s * 1e6) > 2)
    return out + note("The timeline's run " + std::to_string(index) + " lasted " +
                      short_number(run.wall_us / 1e6) + " s, the runs CSV's " +
                      short_number(wall_s) + " s: the file is from another experiment.");
  const std::string caption =
      (c.ok_runs.size() == 1 ? std::string("its run")
                             : "median of " + std::to_string(c.ok_runs.size()) + " runs") +
      ": run " + std::to_string(index) + ", " + short_number(wall_s) + " s, " +
      std::to_string(run.lanes) + (run.lanes == 1 ? " lane" : " lanes");
  const std::string chart = timeline_chart(caption, run);
  if (chart.empty()) return out + note("Run " + std::to_string(index) + " recorded no spans.");
  out += chart;
  if (run.first_omitted >= 0)
    out += note("Lanes from " + std::to_string(run.first_omitted) + " on (" +
                std::to_string(run.omitted_events) +
                " events) were left out of the timeline file to keep it small.");
  return out;
}

}  // namespace

void timeline_section(std::ostream &out, const std::string &runs_csv,
                      const std::vector<analysis::RunFigures> &runs, const analysis::Analysis &a) {
  out << "<h2>Where time went</h2><p class=\"note\">Each configuration's median run (by wall "
         "time) as lanes over time — one lane per worker: a thread, a process, a fiber's "
         "worker, or one of an event loop's requests in flight — coloured by what it was doing: "
         "waiting on I/O, solving (CPU), a fetched page queued for a solver, or a retried or "
         "hedged attempt; grey is idle.</p>";
  const std::string path = results::timeline_path_for(runs_csv);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    out << note("No timeline beside the runs CSV (" + path + "): concur run writes one.");
    return;
  }
  TimelineFile file;
  try {
    file = read_timeline(path);
  } catch (const ReadError &e) {
    out << note(std::string("The timeline could not be read: ") + e.what());
    return;
  }
  for (const Config &c : configurations(runs, a)) out << median_chart(c, file);
}

}  // namespace concur::report
