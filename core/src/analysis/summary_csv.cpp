#include "analysis/summary_csv.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "results/csv.hpp"
#include "results/output_file.hpp"

namespace concur::analysis {
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

std::vector<std::string> usl_cells(const Analysis &a, const ConfigSummary &c) {
  if (c.sweep < 0) return {"", "", "", "", "", ""};
  const SweepSummary &s = a.sweeps[static_cast<size_t>(c.sweep)];
  const UslFit &fit = *s.usl;
  return {s.sweep.dimension,
          cell(fit.sigma, 6),
          cell(fit.kappa, 8),
          cell(fit.lambda, 4),
          std::isinf(fit.peak_n) ? "" : cell(fit.peak_n, 2),
          cell(fit.r2, 4)};
}

}  // namespace

std::vector<std::string> summary_header() {
  return {"experiment",
          "strategy",
          "options",
          "label",
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
          "coverage_min",
          "baseline",
          "speedup",
          "speedup_ci95_low",
          "speedup_ci95_high",
          "usl_dimension",
          "usl_sigma",
          "usl_kappa",
          "usl_lambda",
          "usl_peak_n",
          "usl_r2",
          "thresholds"};
}

std::vector<std::vector<std::string>> summary_rows(const Analysis &a) {
  std::vector<std::vector<std::string>> rows;
  for (const ConfigSummary &c : a.configs) {
    const SampleStats &wall = c.wall, &rate = c.rate, &eff = c.efficiency;
    const bool any = wall.n > 0;
    auto figure = [any](double v, int digits = 6) { return any ? cell(v, digits) : ""; };
    const std::string baseline =
        c.baseline < 0 ? "" : a.configs[static_cast<size_t>(c.baseline)].identity.full_label();
    std::vector<std::string> row = {c.experiment,
                                    c.identity.strategy,
                                    c.identity.options,
                                    c.label,
                                    std::to_string(c.runs.size()),
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
                                    cell(c.coverage_min, 4),
                                    baseline,
                                    figure(c.speedup.value, 4),
                                    figure(c.speedup.low, 4),
                                    figure(c.speedup.high, 4)};
    for (std::string &usl : usl_cells(a, c)) row.push_back(std::move(usl));
    row.push_back(c.thresholds);
    rows.push_back(std::move(row));
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
      for (size_t i = 0; i < fields.size(); ++i)
        out << (i ? "," : "") << results::csv_escape(fields[i]);
      out << '\n';
    };
    line(summary_header());
    for (const auto &row : summary_rows(analyse(runs))) line(row);
    out.close();
    if (!out) throw std::runtime_error("cannot write " + temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot replace " + path + " with " + temporary);
}

std::string beside_csv(const std::string &csv_path, const std::string &suffix) {
  return results::results_stem(csv_path) + suffix;
}

std::string summary_path_for(const std::string &runs_path) {
  return beside_csv(runs_path, ".summary.csv");
}

}  // namespace concur::analysis
