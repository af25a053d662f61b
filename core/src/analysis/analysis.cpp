#include "analysis/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "results/csv.hpp"

namespace concur::analysis {
namespace {

std::vector<ConfigSummary> group(const std::vector<RunFigures> &runs) {
  std::vector<ConfigSummary> configs;
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunFigures &run = runs[i];
    const Identity id = identity_of(run.strategy, run.options, run.context);
    auto it = std::find_if(configs.begin(), configs.end(), [&](const ConfigSummary &c) {
      return c.identity.strategy == id.strategy && c.identity.dimensions == id.dimensions;
    });
    if (it == configs.end()) {
      it = configs.insert(configs.end(), ConfigSummary{});
      it->identity = id;
      it->experiment = run.experiment;
    }
    it->runs.push_back(i);
    it->compute = it->compute || run.compute;
  }
  // Experiments in the order they first ran; within one, the order a reader
  // compares configurations in, not the shuffled order they ran in.
  std::vector<ConfigSummary> ordered;
  std::vector<bool> taken(configs.size(), false);
  for (size_t first = 0; first < configs.size(); ++first) {
    if (taken[first]) continue;
    std::vector<size_t> members;
    std::vector<Identity> ids;
    for (size_t k = first; k < configs.size(); ++k)
      if (!taken[k] && configs[k].experiment == configs[first].experiment) {
        members.push_back(k);
        ids.push_back(configs[k].identity);
        taken[k] = true;
      }
    for (size_t index : reading_order(ids)) ordered.push_back(std::move(configs[members[index]]));
  }
  return ordered;
}

void statistics(ConfigSummary &c, const std::vector<RunFigures> &runs) {
  std::vector<double> wall, rate, efficiency, p50, p99;
  for (size_t i : c.runs) {
    const RunFigures &r = runs[i];
    if (!r.ok) continue;
    wall.push_back(r.wall_s);
    rate.push_back(r.rate);
    efficiency.push_back(r.efficiency);
    if (!std::isnan(r.p50)) p50.push_back(r.p50);
    if (!std::isnan(r.p99)) p99.push_back(r.p99);
  }
  c.runs_ok = wall.size();
  for (size_t i : c.runs)
    if (const auto found = runs[i].columns.find("coverage"); found != runs[i].columns.end())
      c.coverage_min =
          std::isnan(c.coverage_min) ? found->second : std::min(c.coverage_min, found->second);
  c.wall = sample_stats(wall);
  c.rate = sample_stats(rate);
  c.efficiency = sample_stats(efficiency);
  c.p50 = sample_stats(p50);
  c.p99 = sample_stats(p99);
}

// The configuration's thresholds judged on the medians of its ok runs: the
// summary's verdict, beside each run's own.
void threshold_verdicts(ConfigSummary &c, const std::vector<RunFigures> &runs) {
  for (size_t i : c.runs)
    if (runs[i].thresholds_cell.rfind("missed", 0) == 0) ++c.runs_missing_thresholds;
  const std::vector<Threshold> &thresholds = runs[c.runs.front()].thresholds;
  if (thresholds.empty()) return;
  std::map<std::string, double> medians;
  for (const Threshold &t : thresholds) {
    std::vector<double> values;
    for (size_t i : c.runs) {
      const auto found = runs[i].columns.find(t.column);
      if (runs[i].ok && found != runs[i].columns.end()) values.push_back(found->second);
    }
    if (!values.empty()) medians[t.column] = sample_stats(values).median;
  }
  c.thresholds = thresholds_cell(thresholds, missed(thresholds, medians));
}

// The baseline each configuration's runs name, by label; -1 when they name
// none or one that has not run.
std::vector<int> named_baselines(const std::vector<ConfigSummary> &configs,
                                 const std::vector<RunFigures> &runs) {
  std::vector<int> out(configs.size(), -1);
  for (size_t i = 0; i < configs.size(); ++i) {
    const std::string &name = runs[configs[i].runs.front()].baseline;
    for (size_t j = 0; j < configs.size() && !name.empty(); ++j)
      if (configs[j].identity.full_label() == name &&
          comparable(configs[i].identity, configs[j].identity)) {
        out[i] = static_cast<int>(j);
        break;
      }
  }
  return out;
}

}  // namespace

std::vector<Dimension> context_of(const results::RunResult &r) {
  return {{"seed", std::to_string(r.seed)},
          {"base_url", r.base_url},
          {"start", results::crawl_only(r, r.start)},
          {"max_pages", results::crawl_only(r, std::to_string(r.max_pages))},
          {"retry_limit", results::crawl_only(r, std::to_string(r.retries))},
          {"fetch_policy", r.fetch_policy},
          {"timeout_ms", results::crawl_only(r, std::to_string(r.timeout_ms))},
          {"puzzle", r.puzzle},
          {"script", r.script}};
}

RunFigures figures_of(const results::RunResult &r) {
  RunFigures f;
  f.experiment = r.experiment;
  f.strategy = r.strategy;
  f.options = r.options;
  f.context = context_of(r);
  f.baseline = r.baseline;
  f.repeat = r.repeat;
  f.ok = r.ok();
  f.compute = r.is_compute();
  f.outside = !r.program.empty();
  f.wall_s = r.wall_s;
  f.rate = r.pages_per_s();
  f.efficiency = r.efficiency();
  if (!f.compute && r.latency_ms.samples > 0) {  // no answer timed: no latency, as in the CSV
    f.p50 = r.latency_ms.p50;
    f.p90 = r.latency_ms.p90;
    f.p99 = r.latency_ms.p99;
  }
  f.speedup = r.speedup;
  f.metrics = r.metrics;
  f.error = r.error;
  f.columns = results::numeric_fields(r);
  f.thresholds_cell = r.thresholds;
  return f;
}

bool Analysis::any_compute() const {
  return std::any_of(configs.begin(), configs.end(), [](const auto &c) { return c.compute; });
}

bool Analysis::any_crawl() const {
  return std::any_of(configs.begin(), configs.end(), [](const auto &c) { return !c.compute; });
}

Analysis analyse(const std::vector<RunFigures> &runs) {
  Analysis a;
  a.configs = group(runs);
  std::vector<Identity> ids;
  for (ConfigSummary &c : a.configs) {
    statistics(c, runs);
    threshold_verdicts(c, runs);
    ids.push_back(c.identity);
  }
  const bool named = std::any_of(runs.begin(), runs.end(),
                                 [](const RunFigures &r) { return !r.baseline.empty(); });
  const std::vector<int> base = named ? named_baselines(a.configs, runs) : baselines(ids);
  const Labels labels = make_labels(ids);
  a.constant = labels.constant;
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  for (size_t i = 0; i < a.configs.size(); ++i) {
    ConfigSummary &c = a.configs[i];
    c.label = labels.labels[i];
    c.baseline = base[i];
    c.speedup = c.baseline < 0 ? Speedup{kNaN, kNaN, kNaN}
                               : speedup(a.configs[static_cast<size_t>(c.baseline)].wall, c.wall);
  }
  for (Sweep &sweep : find_sweeps(ids)) {
    std::vector<std::pair<double, double>> points;
    for (const auto &[width, index] : sweep.points)
      if (a.configs[index].runs_ok > 0) points.emplace_back(width, a.configs[index].rate.median);
    SweepSummary s{std::move(sweep), fit_usl(points)};
    if (s.usl)
      for (const auto &point : s.sweep.points)
        if (a.configs[point.second].sweep < 0)
          a.configs[point.second].sweep = static_cast<int>(a.sweeps.size());
    a.sweeps.push_back(std::move(s));
  }
  return a;
}

std::string significant(double v, int digits) {
  if (std::isnan(v)) return "";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return "0";
  char buf[64];
  const double magnitude = v == 0 ? 0 : std::floor(std::log10(std::abs(v)));
  const int decimals = std::max(0, digits - 1 - static_cast<int>(magnitude));
  std::snprintf(buf, sizeof buf, "%.*f", std::min(decimals, 12), v);
  return buf;
}

}  // namespace concur::analysis
