#include "results/summary_csv.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "results/csv.hpp"
#include "results/repeat_stats.hpp"

namespace concur::results {
namespace {

// Empty for NaN (no interval with one sample): a blank cell, not "nan".
std::string cell(double v, int digits = 6) {
  if (std::isnan(v)) return "";
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(digits);
  s << v;
  return s.str();
}

struct Group {
  const RunFigures *first;
  size_t runs = 0;
  std::vector<double> wall, rate, efficiency;
};

std::vector<Group> group(const std::vector<RunFigures> &runs) {
  std::vector<Group> groups;
  for (const auto &run : runs) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](const Group &g) {
      return g.first->strategy == run.strategy && g.first->options == run.options;
    });
    if (it == groups.end()) it = groups.insert(groups.end(), Group{&run, 0, {}, {}, {}});
    ++it->runs;
    if (!run.ok) continue;
    it->wall.push_back(run.wall_s);
    it->rate.push_back(run.pages_per_s);
    it->efficiency.push_back(run.efficiency);
  }
  return groups;
}

}  // namespace

RunFigures figures_of(const RunResult &r) {
  return {r.experiment, r.strategy, r.options, r.ok(), r.wall_s, r.pages_per_s(), r.efficiency()};
}

std::vector<std::string> summary_header() {
  return {"experiment",
          "strategy",
          "options",
          "runs",
          "runs_ok",
          "wall_s_median",
          "wall_s_mean",
          "wall_s_stddev",
          "wall_s_min",
          "wall_s_max",
          "wall_s_ci95_low",
          "wall_s_ci95_high",
          "wall_s_outliers",
          "pages_per_s_median",
          "pages_per_s_mean",
          "pages_per_s_ci95_low",
          "pages_per_s_ci95_high",
          "efficiency_median",
          "baseline",
          "speedup",
          "speedup_ci95_low",
          "speedup_ci95_high"};
}

std::vector<std::vector<std::string>> summary_rows(const std::vector<RunFigures> &runs) {
  const std::vector<Group> groups = group(runs);
  std::vector<std::vector<std::string>> rows;
  if (groups.empty()) return rows;
  const SampleStats base = sample_stats(groups.front().wall);
  const std::string baseline = groups.front().first->strategy +
                               (groups.front().first->options.empty() ? "" : " ") +
                               groups.front().first->options;
  for (const Group &g : groups) {
    const SampleStats wall = sample_stats(g.wall), rate = sample_stats(g.rate),
                      eff = sample_stats(g.efficiency);
    const bool any = wall.n > 0;
    const Speedup up = speedup(base, wall);
    auto figure = [any](double v, int digits = 6) { return any ? cell(v, digits) : ""; };
    rows.push_back({g.first->experiment,
                    g.first->strategy,
                    g.first->options,
                    std::to_string(g.runs),
                    std::to_string(wall.n),
                    figure(wall.median),
                    figure(wall.mean),
                    figure(wall.stddev),
                    figure(wall.min),
                    figure(wall.max),
                    figure(wall.ci_low),
                    figure(wall.ci_high),
                    any ? std::to_string(wall.outliers) : "",
                    figure(rate.median, 3),
                    figure(rate.mean, 3),
                    figure(rate.ci_low, 3),
                    figure(rate.ci_high, 3),
                    figure(eff.median, 4),
                    baseline,
                    figure(up.value, 4),
                    figure(up.low, 4),
                    figure(up.high, 4)});
  }
  return rows;
}

void write_summary_csv(const std::string &path, const std::vector<RunFigures> &runs) {
  const std::filesystem::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    auto line = [&out](const std::vector<std::string> &fields) {
      for (size_t i = 0; i < fields.size(); ++i) out << (i ? "," : "") << csv_escape(fields[i]);
      out << '\n';
    };
    line(summary_header());
    for (const auto &row : summary_rows(runs)) line(row);
    out.close();
    if (!out) throw std::runtime_error("cannot write " + temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot replace " + path + " with " + temporary);
}

std::string beside_csv(const std::string &csv_path, const std::string &suffix) {
  const std::string csv = ".csv";
  if (csv_path.size() > csv.size() &&
      csv_path.compare(csv_path.size() - csv.size(), csv.size(), csv) == 0)
    return csv_path.substr(0, csv_path.size() - csv.size()) + suffix;
  return csv_path + suffix;
}

std::string summary_path_for(const std::string &runs_path) {
  return beside_csv(runs_path, ".summary.csv");
}

}  // namespace concur::results
