#include "report/report.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "analysis/analysis.hpp"
#include "report/charts.hpp"
#include "report/runs.hpp"
#include "report/svg.hpp"
#include "report/timeline.hpp"

namespace concur::report {
namespace {

using analysis::ConfigSummary;
using analysis::significant;

void style(std::ostream &out) {
  out << "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;"
         "padding:0 1em;color:#222}h1{font-size:1.6em}h2{margin-top:2em;font-size:1.2em}"
         "table{border-collapse:collapse;font-size:13px;width:100%}th,td{padding:4px 8px;"
         "border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child{text-align:"
         "left}.meta{color:#555;font-size:13px}.note{background:#f6f8fa;padding:.6em 1em;"
         "border-left:4px solid #4e79a7}svg{display:block;margin:1em 0}svg .title{font-weight:"
         "600;font-size:14px}svg .tick,svg .axis{font-size:11px;fill:#555}svg .label,svg .value,"
         "svg .legend{font-size:12px}svg .grid{stroke:#e5e5e5}svg "
         ".whisker{stroke:#333;stroke-width:1.5}"
         "svg .ideal{fill:none;stroke:#999;stroke-dasharray:5 4}.failed{color:#b00}"
         "td.verdict,th.verdict{text-align:left}td.verdict ul{margin:.2em 0;padding-left:1.2em}"
         "</style>";
}

std::string optional_cell(const CsvTable &t, const std::string &name) {
  auto it = std::find(t.header.begin(), t.header.end(), name);
  return it == t.header.end() || t.rows.empty()
             ? ""
             : t.rows.front()[static_cast<size_t>(it - t.header.begin())];
}

// The fingerprint: what measured (machine, kernel, build), and how many runs
// shared the machine with other work.
void machine_line(std::ostream &out, const CsvTable &t) {
  const std::string cpu = optional_cell(t, "cpu_model");
  if (cpu.empty()) return;  // a CSV from before the fingerprint
  out << "<p class=\"meta\">Measured on " << html_escape(cpu) << " × "
      << html_escape(optional_cell(t, "nproc")) << " CPUs";
  if (const std::string g = optional_cell(t, "governor"); !g.empty())
    out << " (governor " << html_escape(g) << ")";
  out << ", " << html_escape(optional_cell(t, "kernel")) << " · concur "
      << html_escape(optional_cell(t, "build")) << "</p>";
  const auto at = std::find(t.header.begin(), t.header.end(), "noisy");
  if (at == t.header.end()) return;
  size_t noisy = 0;
  for (const auto &row : t.rows) noisy += row[static_cast<size_t>(at - t.header.begin())] == "true";
  if (noisy > 0)
    out << "<p class=\"failed\">" << noisy << " of " << t.rows.size()
        << " runs shared the machine with other work (their <code>noisy</code> column): other "
           "processes took a tenth of its CPUs or more while they ran, and their figures include "
           "that interference.</p>";
}

void header(std::ostream &out, const CsvTable &t, const std::vector<analysis::RunFigures> &runs,
            const analysis::Analysis &a) {
  out << "<h1>concur report: " << html_escape(runs.front().experiment) << "</h1><p class=\"meta\">"
      << runs.size() << " runs of " << a.configs.size() << " configurations, from "
      << html_escape(t.source);
  // A compute experiment has no server: its seed column says nothing.
  for (const char *key : {"seed", "base_url", "puzzle", "fetch_policy"})
    if (const std::string v = optional_cell(t, key);
        !v.empty() && (a.any_crawl() || std::string_view(key) != "seed"))
      out << " · " << key << " " << html_escape(v);
  out << "</p>";
  machine_line(out, t);
  if (!a.constant.empty())
    out << "<p class=\"meta\">Every configuration: " << html_escape(a.constant)
        << " (labels below show only what differs).</p>";
  out << "<p class=\"note\">Each <b>configuration</b> (a strategy with its options) was "
         "run the same way. <b>Wall time</b> is how long its run took (bar: the median; "
         "whisker: the 95% interval of the mean over repeats). <b>Efficiency</b> is the best "
         "any strategy could do on this machine — the lower bound: the longest chain of waits "
         "the run cannot avoid, or all its CPU work spread over every core — divided by the "
         "wall time: 1.0 is perfect. <b>Speedup</b> compares a configuration with its "
         "<b>baseline</b>: the sequential run of the same work and settings, else the same "
         "strategy at its smallest width (workers, concurrency …), or what the experiment's "
         "<code>baseline:</code> names; the mean wall time of the baseline over the mean of "
         "this one.</p>";
}

void summary_table(std::ostream &out, const analysis::Analysis &a) {
  const bool compute_only = !a.any_crawl();
  out << "<h2>Summary</h2><table><tr><th>configuration</th><th>runs ok</th><th>wall s "
         "(median)</th><th>95% interval</th><th>"
      << (compute_only ? "tasks/s" : "pages/s")
      << "</th><th>efficiency</th><th>speedup</th><th>95% interval</th><th>over</th>"
         "<th>outliers</th></tr>";
  auto range = [](double lo, double hi) {
    return std::isnan(lo) ? std::string() : significant(lo) + " – " + significant(hi);
  };
  for (size_t i = 0; i < a.configs.size(); ++i) {
    const ConfigSummary &c = a.configs[i];
    const bool any = c.runs_ok > 0;
    const bool own = c.baseline == static_cast<int>(i);
    std::string speedup, over;
    if (c.baseline >= 0 && !std::isnan(c.speedup.value)) {
      speedup = significant(c.speedup.value) + "×";
      over = own ? "(the baseline)" : a.configs[static_cast<size_t>(c.baseline)].label;
    }
    out << "<tr><td>" << html_escape(c.label) << "</td><td>" << c.runs_ok << " / " << c.runs.size()
        << "</td><td>" << (any ? significant(c.wall.median) : "") << "</td><td>"
        << (any ? range(c.wall.ci_low, c.wall.ci_high) : "") << "</td><td>"
        << (any ? significant(c.rate.median) : "") << "</td><td>"
        << (any ? significant(c.efficiency.median, 3) : "") << "</td><td>" << speedup << "</td><td>"
        << (own ? "" : range(c.speedup.low, c.speedup.high)) << "</td><td>" << html_escape(over)
        << "</td><td>" << (any ? std::to_string(c.wall.outliers) : "") << "</td></tr>";
  }
  out << "</table>";
}

// Each configuration's runs against the experiment's thresholds, as their
// `thresholds` cells say: met in every run, or which runs missed what.
void thresholds_section(std::ostream &out, const analysis::Analysis &a,
                        const std::vector<analysis::RunFigures> &runs) {
  std::string rows;
  size_t missing = 0;
  for (const ConfigSummary &c : a.configs) {
    size_t judged = 0;
    std::string missed;
    for (size_t i : c.runs) {
      const analysis::RunFigures &r = runs[i];
      if (r.thresholds_cell.empty()) continue;
      ++judged;
      if (r.thresholds_cell.rfind("missed: ", 0) == 0)
        missed += "<li>repeat " + std::to_string(r.repeat) + ": " +
                  html_escape(r.thresholds_cell.substr(8)) + "</li>";
    }
    if (judged == 0) continue;
    missing += c.runs_missing_thresholds;
    rows += "<tr><td>" + html_escape(c.label) + "</td><td class=\"verdict\">" +
            (missed.empty()
                 ? "met in " + std::to_string(judged) + " of " + std::to_string(judged)
                 : "<span class=\"failed\">missed in " + std::to_string(c.runs_missing_thresholds) +
                       " of " + std::to_string(judged) + "</span><ul>" + missed + "</ul>") +
            "</td></tr>";
  }
  if (rows.empty()) return;
  out << "<h2" << (missing ? " class=\"failed\"" : "") << ">Thresholds</h2><p>The experiment's "
      << "<code>thresholds:</code>, checked on every run's row; a run that failed is not judged."
      << "</p><table><tr><th>configuration</th><th class=\"verdict\">runs</th></tr>" << rows
      << "</table>";
}

void failures(std::ostream &out, const std::vector<analysis::RunFigures> &runs) {
  std::string items;
  for (const analysis::RunFigures &r : runs)
    if (!r.ok)
      items += "<li>" +
               html_escape(r.strategy + " " + r.options + ", repeat " + std::to_string(r.repeat) +
                           ": " + (r.error.empty() ? "failed" : r.error)) +
               "</li>";
  if (!items.empty()) out << "<h2 class=\"failed\">Failed runs</h2><ul>" << items << "</ul>";
}

}  // namespace

void write_report(const CsvTable &table, std::ostream &out) {
  const std::vector<analysis::RunFigures> runs = read_runs(table);
  if (runs.empty()) throw ReadError(table.source + ": no runs to report");
  const analysis::Analysis a = analysis::analyse(runs);
  out << "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>concur report: "
      << html_escape(runs.front().experiment) << "</title>";
  style(out);
  out << "</head><body>";
  header(out, table, runs, a);
  summary_table(out, a);
  thresholds_section(out, a, runs);
  write_charts(out, a, runs);
  timeline_section(out, table.source, runs, a);  // "Where time went": report/timeline.hpp
  failures(out, runs);
  out << "<p class=\"meta\">Made by <code>concur report</code>: one file, no scripts, nothing "
         "fetched.</p></body></html>\n";
}

}  // namespace concur::report
