#include "report/report.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <sstream>

#include "report/svg.hpp"
#include "results/repeat_stats.hpp"
#include "results/summary_csv.hpp"

namespace concur::report {
namespace {

constexpr const char *kPalette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

// One run, as the report needs it.
struct Run {
  results::RunFigures figures;
  double efficiency = 0, p50 = 0, p90 = 0, p99 = 0;
  std::string error;
};

struct Config {  // one strategy + options, over its repeats
  std::string strategy, options;
  std::vector<const Run *> runs;
  std::string label() const { return strategy + (options.empty() ? "" : " " + options); }
};

class Reader {
 public:
  explicit Reader(const CsvTable &t) : t_(t) {}
  const std::string &text(size_t row, const std::string &name) const {
    return t_.rows[row][t_.column(name)];
  }
  double number(size_t row, const std::string &name) const {
    const std::string &cell = text(row, name);
    try {
      size_t used = 0;
      const double v = std::stod(cell, &used);
      if (used == cell.size() && std::isfinite(v)) return v;
    } catch (const std::exception &) {
    }
    throw ReadError(t_.source + ": row " + std::to_string(row + 1) + ", column " + name + ": '" +
                    cell + "' is not a number");
  }
  std::string optional(size_t row, const std::string &name) const {
    auto it = std::find(t_.header.begin(), t_.header.end(), name);
    return it == t_.header.end() ? "" : t_.rows[row][static_cast<size_t>(it - t_.header.begin())];
  }

 private:
  const CsvTable &t_;
};

std::vector<Run> read_runs(const CsvTable &t) {
  Reader r(t);
  std::vector<Run> runs;
  for (size_t i = 0; i < t.rows.size(); ++i) {
    Run run;
    run.figures = {r.text(i, "experiment"),     r.text(i, "strategy"), r.text(i, "options"),
                   r.text(i, "status") == "ok", r.number(i, "wall_s"), r.number(i, "pages_per_s"),
                   r.number(i, "efficiency")};
    run.efficiency = run.figures.efficiency;
    run.p50 = r.number(i, "latency_p50_ms");
    run.p90 = r.number(i, "latency_p90_ms");
    run.p99 = r.number(i, "latency_p99_ms");
    run.error = r.optional(i, "error");
    runs.push_back(std::move(run));
  }
  return runs;
}

std::vector<Config> configs_of(const std::vector<Run> &runs) {
  std::vector<Config> configs;
  for (const Run &run : runs) {
    auto it = std::find_if(configs.begin(), configs.end(), [&](const Config &c) {
      return c.strategy == run.figures.strategy && c.options == run.figures.options;
    });
    if (it == configs.end())
      it = configs.insert(configs.end(), {run.figures.strategy, run.figures.options, {}});
    it->runs.push_back(&run);
  }
  return configs;
}

std::string color_of(const std::string &strategy, std::map<std::string, std::string> &colors) {
  auto [it, fresh] = colors.try_emplace(strategy, "");
  if (fresh) it->second = kPalette[(colors.size() - 1) % std::size(kPalette)];
  return it->second;
}

double median_of(const Config &c, double Run::*field) {
  std::vector<double> v;
  for (const Run *r : c.runs)
    if (r->figures.ok) v.push_back(r->*field);
  return results::sample_stats(v).median;
}

results::SampleStats wall_of(const Config &c) {
  std::vector<double> v;
  for (const Run *r : c.runs)
    if (r->figures.ok) v.push_back(r->figures.wall_s);
  return results::sample_stats(v);
}

// The option that says how much runs at once ("workers=8"), when there is one.
std::optional<double> width_of(const std::string &options) {
  for (const char *key : {"workers=", "concurrency=", "fibers=", "producers="}) {
    const auto at = options.find(key);
    if (at == std::string::npos || (at > 0 && options[at - 1] != ' ')) continue;
    try {
      return std::stod(options.substr(at + std::string(key).size()));
    } catch (const std::exception &) {
    }
  }
  return std::nullopt;
}

void style(std::ostream &out) {
  out << "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;"
         "padding:0 1em;color:#222}h1{font-size:1.6em}h2{margin-top:2em;font-size:1.2em}"
         "table{border-collapse:collapse;font-size:13px;width:100%}th,td{padding:4px 8px;"
         "border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child{text-align:"
         "left}.meta{color:#555;font-size:13px}.note{background:#f6f8fa;padding:.6em 1em;"
         "border-left:4px solid #4e79a7}svg{display:block;margin:1em 0}svg .title{font-weight:"
         "600;font-size:14px}svg .tick,svg .axis{font-size:11px;fill:#555}svg .label,svg .value"
         "{font-size:12px}svg .grid{stroke:#e5e5e5}svg .whisker{stroke:#333;stroke-width:1.5}"
         "svg .ideal{fill:none;stroke:#999;stroke-dasharray:5 4}.failed{color:#b00}</style>";
}

void header(std::ostream &out, const CsvTable &t, const std::vector<Run> &runs,
            const std::vector<Config> &configs) {
  Reader r(t);
  const std::string experiment = runs.front().figures.experiment;
  out << "<h1>concur report: " << html_escape(experiment) << "</h1><p class=\"meta\">"
      << runs.size() << " runs of " << configs.size() << " configurations, from "
      << html_escape(t.source);
  for (const char *key : {"seed", "base_url", "puzzle", "fetch_policy", "concur_version"})
    if (const std::string v = r.optional(0, key); !v.empty())
      out << " · " << key << " " << html_escape(v);
  out << "</p><p class=\"note\">Each <b>configuration</b> (a strategy with its options) was "
         "run the same way against the same demo server. <b>Wall time</b> is how long its "
         "crawl took (bar: the median; whisker: the 95% interval of the mean over repeats). "
         "<b>Efficiency</b> is the best any strategy could do on this machine — the lower "
         "bound: the longest chain of waits the crawl cannot avoid, or all its CPU work "
         "spread over every core — divided by the wall time: 1.0 is perfect. "
         "<b>Speedup</b> compares each configuration with the first one, the baseline.</p>";
}

void summary_table(std::ostream &out, const std::vector<Run> &runs) {
  std::vector<results::RunFigures> figures;
  for (const Run &r : runs) figures.push_back(r.figures);
  const auto head = results::summary_header();
  auto col = [&head](const std::vector<std::string> &row, const char *name) {
    return html_escape(
        row.at(static_cast<size_t>(std::find(head.begin(), head.end(), name) - head.begin())));
  };
  out << "<h2>Summary</h2><table><tr><th>configuration</th><th>runs ok</th><th>wall s "
         "(median)</th><th>95% interval</th><th>pages/s</th><th>efficiency</th><th>speedup</th>"
         "<th>95% interval</th><th>outliers</th></tr>";
  for (const auto &row : results::summary_rows(figures)) {
    const std::string options = col(row, "options");
    out << "<tr><td>" << col(row, "strategy") << (options.empty() ? "" : " " + options)
        << "</td><td>" << col(row, "runs_ok") << " / " << col(row, "runs") << "</td><td>"
        << col(row, "wall_s_median") << "</td><td>" << col(row, "wall_s_ci95_low") << " – "
        << col(row, "wall_s_ci95_high") << "</td><td>" << col(row, "pages_per_s_median")
        << "</td><td>" << col(row, "efficiency_median") << "</td><td>" << col(row, "speedup")
        << "×</td><td>" << col(row, "speedup_ci95_low") << " – " << col(row, "speedup_ci95_high")
        << "</td><td>" << col(row, "wall_s_outliers") << "</td></tr>";
  }
  out << "</table>";
}

void charts(std::ostream &out, const std::vector<Config> &configs) {
  std::map<std::string, std::string> colors;
  std::vector<Bar> wall, efficiency, latency;
  for (const Config &c : configs) {
    const std::string color = color_of(c.strategy, colors);
    const results::SampleStats w = wall_of(c);
    wall.push_back({c.label(), w.median, w.ci_low, w.ci_high, color, ""});
    efficiency.push_back(
        {c.label(), median_of(c, &Run::efficiency), std::nan(""), std::nan(""), color, ""});
    const double p50 = median_of(c, &Run::p50), p90 = median_of(c, &Run::p90),
                 p99 = median_of(c, &Run::p99);
    latency.push_back({c.label(), p50, p50, p99, color,
                       c.label() + ": p50 " + std::to_string(p50) + " ms, p90 " +
                           std::to_string(p90) + " ms, p99 " + std::to_string(p99) + " ms"});
  }
  out << "<h2>Wall time</h2>"
      << bar_chart("Wall time per configuration (shorter is better)", " s", wall);
  out << "<h2>Efficiency</h2>"
      << bar_chart("Lower bound / wall time (1.0: nothing left to gain)", "", efficiency, false,
                   1.0);
  // Speedup against how much each strategy runs at once, where options say it.
  const results::SampleStats base = wall_of(configs.front());
  std::map<std::string, Series> by_strategy;
  for (const Config &c : configs) {
    const auto width = width_of(c.options);
    const results::SampleStats w = wall_of(c);
    if (!width || w.n == 0) continue;
    Series &s = by_strategy[c.strategy];
    s.name = c.strategy;
    s.color = color_of(c.strategy, colors);
    s.points.push_back({*width, results::speedup(base, w).value});
  }
  std::vector<Series> series;
  for (auto &[name, s] : by_strategy) {
    std::sort(s.points.begin(), s.points.end());
    series.push_back(std::move(s));
  }
  out << "<h2>Speedup</h2>";
  if (!series.empty())
    out << line_chart("Speedup over " + configs.front().label() + " by workers / concurrency",
                      "workers, concurrency or fibers (log scale)", "speedup", series, true);
  else
    out << "<p>No configuration names its width (workers, concurrency, fibers): see the "
           "table's speedup column.</p>";
  out << "<h2>Request latency</h2>"
      << bar_chart("Latency of single requests: bar p50, whisker p50 to p99", " ms", latency, true);
}

void failures(std::ostream &out, const std::vector<Run> &runs) {
  std::string items;
  for (const Run &r : runs)
    if (!r.figures.ok)
      items += "<li>" +
               html_escape(r.figures.strategy + " " + r.figures.options + ": " +
                           (r.error.empty() ? "failed" : r.error)) +
               "</li>";
  if (!items.empty()) out << "<h2 class=\"failed\">Failed runs</h2><ul>" << items << "</ul>";
}

}  // namespace

void write_report(const CsvTable &table, std::ostream &out) {
  const std::vector<Run> runs = read_runs(table);
  if (runs.empty()) throw ReadError(table.source + ": no runs to report");
  const std::vector<Config> configs = configs_of(runs);
  out << "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>concur report: "
      << html_escape(runs.front().figures.experiment) << "</title>";
  style(out);
  out << "</head><body>";
  header(out, table, runs, configs);
  summary_table(out, runs);
  charts(out, configs);
  failures(out, runs);
  out << "<p class=\"meta\">Made by <code>concur report</code>: one file, no scripts, nothing "
         "fetched.</p></body></html>\n";
}

}  // namespace concur::report
