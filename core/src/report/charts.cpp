#include "report/charts.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "analysis/terminal_summary.hpp"
#include "report/svg.hpp"

namespace concur::report {
namespace {

using analysis::ConfigSummary;
using analysis::significant;

constexpr const char *kPalette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A colour per strategy, in the configurations' reading order (so the same
// experiment colours alike however its runs were shuffled), and its legend.
class Colors {
 public:
  explicit Colors(const analysis::Analysis &a) {
    for (const ConfigSummary &c : a.configs)
      if (std::none_of(legend_.begin(), legend_.end(),
                       [&](const LegendEntry &e) { return e.name == c.identity.strategy; }))
        legend_.push_back({c.identity.strategy, kPalette[legend_.size() % std::size(kPalette)]});
  }
  std::string of(const std::string &strategy) const {
    for (const LegendEntry &e : legend_)
      if (e.name == strategy) return e.color;
    return kPalette[0];
  }
  const std::vector<LegendEntry> &legend() const { return legend_; }

 private:
  std::vector<LegendEntry> legend_;
};

double median_metric(const ConfigSummary &c, const std::vector<analysis::RunFigures> &runs,
                     const std::string &name, bool *found) {
  std::vector<double> values;
  for (size_t i : c.runs)
    if (runs[i].ok)
      if (auto it = runs[i].metrics.find(name); it != runs[i].metrics.end())
        values.push_back(it->second);
  if (!values.empty()) *found = true;
  return values.empty() ? kNaN : analysis::sample_stats(values).median;
}

void wall_and_efficiency(std::ostream &out, const analysis::Analysis &a, const Colors &colors) {
  std::vector<Bar> wall, efficiency;
  for (const ConfigSummary &c : a.configs) {
    if (c.runs_ok == 0) continue;
    const std::string color = colors.of(c.identity.strategy);
    wall.push_back({c.label, c.wall.median, c.wall.ci_low, c.wall.ci_high, color,
                    c.label + ": median " + significant(c.wall.median) + " s", ""});
    efficiency.push_back({c.label, c.efficiency.median, kNaN, kNaN, color,
                          c.label + ": " + significant(c.efficiency.median, 3), ""});
  }
  if (wall.empty()) return;
  out << "<h2>Wall time</h2>"
      << bar_chart("Wall time per configuration (shorter is better)", " s", wall, false, 0,
                   colors.legend());
  out << "<h2>Efficiency</h2>"
      << bar_chart("Lower bound / wall time (1.0: nothing left to gain)", "", efficiency, false,
                   1.0, colors.legend());
}

// A sweep takes its strategy's colour, as in the bar charts, unless two sweeps
// share a strategy: then each sweep its own.
std::vector<std::string> sweep_colors(const analysis::Analysis &a, const Colors &colors) {
  std::vector<std::string> strategy_of;
  for (const analysis::SweepSummary &s : a.sweeps)
    strategy_of.push_back(a.configs[s.sweep.points.front().second].identity.strategy);
  const bool by_strategy =
      std::set<std::string>(strategy_of.begin(), strategy_of.end()).size() == strategy_of.size();
  std::vector<std::string> out;
  for (size_t i = 0; i < strategy_of.size(); ++i)
    out.push_back(by_strategy ? colors.of(strategy_of[i]) : kPalette[i % std::size(kPalette)]);
  return out;
}

// Per sweep: speedup over its baseline at each width, with error bars, and
// the USL's curve where it was fitted (its throughput over the baseline's).
void speedup_chart(std::ostream &out, const analysis::Analysis &a, const Colors &colors) {
  std::vector<Series> series;
  std::set<std::string> dimensions;
  const std::vector<std::string> sweep_color = sweep_colors(a, colors);
  for (size_t i = 0; i < a.sweeps.size(); ++i) {
    const analysis::SweepSummary &s = a.sweeps[i];
    Series line{s.sweep.name, sweep_color[i], {}, false};
    const ConfigSummary *base = nullptr;
    for (const auto &[width, index] : s.sweep.points) {
      const ConfigSummary &c = a.configs[index];
      if (std::isnan(c.speedup.value)) continue;
      line.points.push_back({width, c.speedup.value, c.speedup.low, c.speedup.high});
      base = &a.configs[static_cast<size_t>(c.baseline)];
    }
    if (line.points.size() < 2) continue;
    dimensions.insert(s.sweep.dimension);
    const std::string color = line.color;
    series.push_back(std::move(line));
    if (!s.usl || base == nullptr || !(base->rate.median > 0)) continue;
    Series fit{"USL fit, " + s.sweep.name, color, {}, true};
    const double lo = s.sweep.points.front().first, hi = s.sweep.points.back().first;
    for (int k = 0; k <= 40; ++k) {
      const double n = lo * std::pow(hi / lo, k / 40.0);
      fit.points.push_back({n, s.usl->throughput(n) / base->rate.median});
    }
    series.push_back(std::move(fit));
  }
  if (series.empty()) {
    out << "<p>No concurrency dimension (workers, concurrency, fibers …) takes two or more "
           "values, so there is no speedup curve: the table's speedup column compares each "
           "configuration with its baseline.</p>";
    return;
  }
  std::string x_label;
  for (const std::string &d : dimensions) x_label += (x_label.empty() ? "" : " / ") + d;
  out << "<h2>Speedup</h2>"
      << line_chart("Speedup over each sweep's baseline (error bars: 95% interval)",
                    x_label + " (log scale)", "speedup", series, true);
  for (const analysis::SweepSummary &s : a.sweeps) {
    if (!s.usl) continue;
    const bool compute = a.configs[s.sweep.points.front().second].compute;
    const analysis::UslFit &f = *s.usl;
    out << "<p class=\"note\"><b>USL, " << html_escape(s.sweep.name) << " over "
        << html_escape(s.sweep.dimension) << ":</b> "
        << html_escape(analysis::describe_usl(f, compute ? "tasks/s" : "pages/s")) << ". σ is "
        << "contention: " << significant(100 * f.sigma, 3) << "% of the work waits its turn "
        << "(a lock, a queue, the GIL, a core), which flattens the curve; κ is coherency: the "
        << "cost of keeping every worker in agreement, which grows with N² and makes "
        << "throughput fall "
        << (std::isinf(f.peak_n) ? "— here it is zero, so the curve only flattens."
                                 : "past N* ≈ " + significant(f.peak_n, 3) + ".")
        << "</p>";
  }
}

// workload × gil: per workload, each strategy's speedup over sequential with
// the GIL on and off, side by side.
void gil_lesson(std::ostream &out, const analysis::Analysis &a) {
  std::set<std::string> gils, workloads;
  for (const ConfigSummary &c : a.configs) {
    if (const std::string *g = c.identity.find("gil")) gils.insert(*g);
    if (const std::string *w = c.identity.find("workload")) workloads.insert(*w);
  }
  if (gils.size() < 2) return;
  std::vector<Bar> bars;
  for (const std::string &workload : workloads)
    for (const ConfigSummary &c : a.configs) {
      const std::string *w = c.identity.find("workload"), *g = c.identity.find("gil");
      if ((w != nullptr && *w != workload) || (w == nullptr && !workload.empty()) || !g ||
          c.baseline < 0 || c.baseline == static_cast<int>(&c - a.configs.data()) ||
          std::isnan(c.speedup.value))
        continue;
      bars.push_back({c.label, c.speedup.value, c.speedup.low, c.speedup.high,
                      *g == "true" ? "#e15759" : "#59a14f",
                      c.label + ": " + significant(c.speedup.value) + "× over " +
                          a.configs[static_cast<size_t>(c.baseline)].label,
                      significant(c.speedup.value, 3) + "×"});
    }
  if (bars.empty()) return;
  out << "<h2>The GIL's lesson</h2><p>Speedup over the sequential run of the same workload "
         "and GIL setting. Under a GIL, threads take turns on CPU work and stay near 1×; "
         "processes each have their own and scale with the cores. On I/O both scale: a "
         "waiting thread gives the GIL away.</p>"
      << bar_chart("Speedup over sequential, per workload, GIL on and off", "×", bars, false, 0,
                   {{"GIL on", "#e15759"}, {"GIL off", "#59a14f"}});
}

// An event loop's blocked time beside its wall time and latency: the stall.
// True when drawn (its latency chart then stands for the general one).
bool stall_picture(std::ostream &out, const analysis::Analysis &a,
                   const std::vector<analysis::RunFigures> &runs) {
  std::vector<Bar> time, latency;
  for (const ConfigSummary &c : a.configs) {
    bool found = false;
    const double blocked = median_metric(c, runs, "loop_blocked_s", &found);
    if (!found || c.runs_ok == 0) continue;
    time.push_back({c.label + ": wall", c.wall.median, kNaN, kNaN, "#4e79a7", "", ""});
    time.push_back({c.label + ": loop blocked", blocked, kNaN, kNaN, "#e15759", "", ""});
    latency.push_back(
        {c.label, c.p50.median, c.p50.median, c.p99.median, "#76b7b2",
         c.label + ": p50 " + significant(c.p50.median) + " ms, p99 " + significant(c.p99.median) +
             " ms",
         "p50 " + significant(c.p50.median, 3) + " · p99 " + significant(c.p99.median, 3) + " ms"});
  }
  // The stall's shape: loops of one kind that differ in where CPU work runs.
  bool placement_varies = false;
  for (const char *name : {"executor", "cpu_offload"}) {
    std::set<std::string> values;
    for (const ConfigSummary &c : a.configs)
      if (const std::string *v = c.identity.find(name)) values.insert(*v);
    placement_varies = placement_varies || values.size() >= 2;
  }
  if (latency.size() < 2 || !placement_varies) return false;
  out << "<h2>The stall</h2><p>While CPU work runs on the event loop's own thread, no "
         "response is read: every request in flight waits, and latency grows with it. "
         "Loop blocked is the time the loop spent in such work.</p>"
      << bar_chart("Wall time and the time the event loop was blocked", " s", time, false, 0,
                   {{"wall time", "#4e79a7"}, {"loop blocked", "#e15759"}})
      << bar_chart("Request latency beside it: bar p50, whisker p50 to p99", " ms", latency, true);
  return true;
}

void latency_chart(std::ostream &out, const analysis::Analysis &a, const Colors &colors) {
  std::vector<Bar> bars;
  for (const ConfigSummary &c : a.configs) {
    if (c.compute || c.p50.n == 0) continue;
    bars.push_back(
        {c.label, c.p50.median, c.p50.median, c.p99.median, colors.of(c.identity.strategy),
         c.label + ": p50 " + significant(c.p50.median) + " ms, p99 " + significant(c.p99.median) +
             " ms",
         "p50 " + significant(c.p50.median, 3) + " · p99 " + significant(c.p99.median, 3) + " ms"});
  }
  if (bars.empty()) return;
  out << "<h2>Request latency</h2>"
      << bar_chart("Latency of single requests: bar p50, whisker p50 to p99", " ms", bars, true, 0,
                   colors.legend());
}

}  // namespace

void write_charts(std::ostream &out, const analysis::Analysis &a,
                  const std::vector<analysis::RunFigures> &runs) {
  const Colors colors(a);
  wall_and_efficiency(out, a, colors);
  speedup_chart(out, a, colors);
  gil_lesson(out, a);
  if (!stall_picture(out, a, runs)) latency_chart(out, a, colors);
}

}  // namespace concur::report
