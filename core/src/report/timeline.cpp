#include "report/timeline.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>

#include "report/svg.hpp"
#include "results/timeline.hpp"

namespace concur::report {
namespace {

using results::SpanKind;

constexpr size_t kKinds = 4;
// Bottom to top within a column: solving, waiting, wasted, queued.
constexpr std::array<SpanKind, kKinds> kStack = {SpanKind::cpu, SpanKind::io, SpanKind::retry,
                                                 SpanKind::queued};
constexpr int kWidth = 880, kLeft = 128, kPlotW = 736, kTop = 54, kAxisH = 40;
constexpr int kMaxRows = 32;  // a band chart's rows

const char *color_of(SpanKind k) {
  constexpr const char *kColors[] = {"#4e79a7", "#f28e2b", "#edc948", "#e15759"};
  return kColors[static_cast<size_t>(k)];
}

const char *meaning_of(SpanKind k) {
  constexpr const char *kMeanings[] = {"waiting on I/O", "solving (CPU)", "queued for a solver",
                                       "retry or hedged copy"};
  return kMeanings[static_cast<size_t>(k)];
}

constexpr int kNoWorker = std::numeric_limits<int>::min();  // a lane without spans

std::string worker_name(int worker) {
  if (worker == results::kQueueWorker) return "queue";
  return worker == kNoWorker ? "lane" : "worker " + std::to_string(worker);
}

// "worker 3", "workers 1–9", "queue – worker 2".
std::string workers_name(int first, int last) {
  if (first == last) return worker_name(first);
  if (first >= 0) return "workers " + std::to_string(first) + "\u2013" + std::to_string(last);
  return worker_name(first) + " \u2013 " + worker_name(last);
}

// A row of the chart: one lane, or (bands) a group of consecutive lanes.
struct Row {
  int first_lane = 0, lanes = 0;
  std::string label;  // left of the row; empty when there is no room
  std::string name;   // in its tooltip
};

struct Layout {
  std::vector<Row> rows;
  int pitch = 16, bar = 14, column_px = 1;
  bool bands = false;
};

// Each lane's worker (the first span on it says; kNoWorker for a lane with
// none), and whether it solved anything.
std::vector<int> workers_of(const TimelineRun &run, int lanes, std::vector<char> &solves) {
  std::vector<int> workers(static_cast<size_t>(lanes), kNoWorker);
  solves.assign(static_cast<size_t>(lanes), 0);
  for (const auto &s : run.spans) {
    if (s.lane < 0 || s.lane >= lanes) continue;
    const auto lane = static_cast<size_t>(s.lane);
    if (workers[lane] == kNoWorker) workers[lane] = s.worker;
    if (s.kind == SpanKind::cpu) solves[lane] = 1;
  }
  return workers;
}

// One row per lane: "worker 3", then its extra lanes "+1", "+2" … labelled
// where they do not crowd the one above.
Layout lane_layout(const std::vector<int> &workers) {
  Layout l;
  const int n = static_cast<int>(workers.size());
  l.pitch = std::clamp(320 / std::max(n, 1), 5, 18);
  l.bar = l.pitch >= 8 ? l.pitch - 2 : l.pitch - 1;
  int sub = 0, labelled_at = -100;
  for (int i = 0; i < n; ++i) {
    const int w = workers[static_cast<size_t>(i)];
    sub = (i > 0 && w == workers[static_cast<size_t>(i - 1)]) ? sub + 1 : 0;
    Row row{i, 1, "", worker_name(w) + (sub ? " +" + std::to_string(sub) : "")};
    if ((i - labelled_at) * l.pitch >= 11) {
      row.label = sub ? "+" + std::to_string(sub) : worker_name(w);
      labelled_at = i;
    }
    l.rows.push_back(std::move(row));
  }
  return l;
}

// Groups of up to g consecutive lanes, at most kMaxRows of them; a worker
// with several lanes (an event loop's requests in flight) keeps its groups to
// itself, and its lanes that solved (the thread's own CPU work) a row of their
// own, when that costs few extra rows.
Layout band_layout(const std::vector<int> &workers, const std::vector<char> &solves) {
  Layout l;
  l.bands = true;
  l.pitch = 12;
  l.bar = 10;
  l.column_px = 2;
  const int n = static_cast<int>(workers.size());
  const int g = (n + kMaxRows - 1) / kMaxRows;
  std::map<int, int> lanes_of;
  for (int w : workers) ++lanes_of[w];
  auto group = [&](bool by_worker) {
    std::vector<Row> rows;
    for (int i = 0; i < n; ++i) {
      const int w = workers[static_cast<size_t>(i)];
      const int before = i > 0 ? workers[static_cast<size_t>(i - 1)] : w;
      // A worker's CPU lanes (results/timeline.cpp packs them first) are a row of their own.
      const bool cpu_ends = i > 0 && w == before && solves[static_cast<size_t>(i - 1)] &&
                            !solves[static_cast<size_t>(i)];
      const bool split =
          by_worker && ((w != before && (lanes_of[w] > 1 || lanes_of[before] > 1)) || cpu_ends);
      if (rows.empty() || rows.back().lanes == g || split) rows.push_back({i, 0, "", ""});
      ++rows.back().lanes;
    }
    return rows;
  };
  l.rows = group(true);
  if (l.rows.size() > kMaxRows * 3 / 2) l.rows = group(false);
  for (Row &row : l.rows) {
    const int first = workers[static_cast<size_t>(row.first_lane)];
    const int last = workers[static_cast<size_t>(row.first_lane + row.lanes - 1)];
    // Which of its worker's lanes the row starts at: "worker 0", then "+5–9".
    int sub = 0;
    while (sub < row.first_lane && workers[static_cast<size_t>(row.first_lane - sub - 1)] == first)
      ++sub;
    const std::string extra =
        "+" + std::to_string(sub) + "\u2013" + std::to_string(sub + row.lanes - 1);
    row.label = sub == 0 || first != last ? workers_name(first, last) : extra;
    row.name = workers_name(first, last) + (first == last && row.lanes > 1 ? " " + extra : "") +
               " (" + std::to_string(row.lanes) + (row.lanes == 1 ? " lane)" : " lanes)");
  }
  return l;
}

// Lane time per row, kind and pixel column, in microseconds.
class Raster {
 public:
  Raster(size_t rows, int columns, double extent_us)
      : columns_(columns),
        cell_(extent_us / columns),
        busy_(rows * kKinds * static_cast<size_t>(columns)),
        whole_(busy_.size() + 1) {}

  void add(size_t row, SpanKind kind, double start, double end) {
    start = std::max(start, 0.0);
    end = std::min(end, cell_ * columns_);
    if (end <= start) return;
    const int c0 = std::min(static_cast<int>(start / cell_), columns_ - 1);
    const int c1 = std::min(static_cast<int>(end / cell_), columns_ - 1);
    const size_t base = index(row, static_cast<size_t>(kind), 0);
    if (c0 == c1) {
      busy_[base + c0] += end - start;
      return;
    }
    busy_[base + c0] += (c0 + 1) * cell_ - start;
    busy_[base + c1] += end - c1 * cell_;
    whole_[base + c0 + 1] += 1;  // the columns between are covered whole
    whole_[base + c1] -= 1;
  }

  // Adds the whole columns (after every add).
  void finish() {
    for (size_t base = 0; base < busy_.size(); base += static_cast<size_t>(columns_)) {
      double covering = 0;
      for (int c = 0; c < columns_; ++c) {
        covering += whole_[base + c];
        busy_[base + c] += covering * cell_;
      }
    }
  }

  double busy(size_t row, SpanKind kind, int column) const {
    return busy_[index(row, static_cast<size_t>(kind), column)];
  }
  int columns() const { return columns_; }
  double cell() const { return cell_; }

 private:
  size_t index(size_t row, size_t kind, int column) const {
    return (row * kKinds + kind) * static_cast<size_t>(columns_) + static_cast<size_t>(column);
  }
  int columns_;
  double cell_;
  std::vector<double> busy_, whole_;
};

// One kind's bars as SVG path data: runs of equal bars across columns merge.
class Bars {
 public:
  void column(int x, int width, int top, int bottom) {
    if (open_ && top == top_ && bottom == bottom_ && x == x_ + width_) {
      width_ += width;
      return;
    }
    flush();
    open_ = bottom > top;
    x_ = x, width_ = width, top_ = top, bottom_ = bottom;
  }
  void flush() {
    if (open_)
      d_ += "M" + std::to_string(x_) + " " + std::to_string(top_) + "h" + std::to_string(width_) +
            "v" + std::to_string(bottom_ - top_) + "h-" + std::to_string(width_) + "z";
    open_ = false;
  }
  const std::string &d() const { return d_; }

 private:
  std::string d_;
  bool open_ = false;
  int x_ = 0, width_ = 0, top_ = 0, bottom_ = 0;
};

std::string percent(double share) {
  return std::to_string(static_cast<int>(std::lround(share * 100))) + "%";
}

using Shares = std::array<double, kKinds>;  // by SpanKind

// Column `c` of row `r` bottom up, in kStack order: each kind's share of the
// row's lane time as pixels [lo, hi) above the bar's bottom. A kind present
// gets at least a pixel while there is room: a span narrower than a pixel
// still shows. Adds the shares, over the row's columns, to `total`.
std::array<std::pair<int, int>, kKinds> stack_column(const Raster &raster, size_t r, int c,
                                                     double capacity, int bar, Shares &total) {
  double sum = 0;
  for (SpanKind k : kStack) sum += raster.busy(r, k, c);
  const double scale = sum > capacity ? capacity / sum : 1.0;  // overlaps: never past full
  std::array<std::pair<int, int>, kKinds> out{};
  double stacked = 0;
  int top = 0;
  for (size_t i = 0; i < kKinds; ++i) {
    const double share = raster.busy(r, kStack[i], c) * scale / capacity;
    total[static_cast<size_t>(kStack[i])] += share / raster.columns();
    stacked += share;
    int hi = static_cast<int>(std::lround(stacked * bar));
    if (share > 0) hi = std::max(hi, top + 1);
    hi = std::min(hi, bar);
    out[i] = {top, hi};
    top = hi;
  }
  return out;
}

// An invisible rect over the row: its tooltip gives the row's totals.
std::string row_tip(const Row &row, const Shares &total, int y, int height) {
  std::string tip = row.name + ": busy " + percent(total[0] + total[1] + total[2] + total[3]) +
                    " of the run \u2014";
  for (SpanKind k : kStack)
    tip += std::string(" ") + results::span_kind_name(k) + " " +
           percent(total[static_cast<size_t>(k)]);
  return "<rect x=\"" + std::to_string(kLeft) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
         std::to_string(kPlotW) + "\" height=\"" + std::to_string(height) +
         "\" fill=\"none\" pointer-events=\"all\"><title>" + html_escape(tip) + "</title></rect>";
}

// Every row's columns as stacked bars, one path per kind; a grey background
// per row (idle), its label and its tooltip.
std::string draw_rows(const Raster &raster, const Layout &l) {
  std::array<Bars, kKinds> bars;
  std::string background, tips;
  for (size_t r = 0; r < l.rows.size(); ++r) {
    const Row &row = l.rows[r];
    const int y = kTop + static_cast<int>(r) * l.pitch, bottom = y + l.bar;
    Shares total{};
    for (int c = 0; c < raster.columns(); ++c) {
      const auto stack = stack_column(raster, r, c, raster.cell() * row.lanes, l.bar, total);
      for (size_t i = 0; i < kKinds; ++i)
        bars[i].column(kLeft + c * l.column_px, l.column_px, bottom - stack[i].second,
                       bottom - stack[i].first);
    }
    for (Bars &b : bars) b.flush();
    background += "M" + std::to_string(kLeft) + " " + std::to_string(y) + "h" +
                  std::to_string(kPlotW) + "v" + std::to_string(l.bar) + "h-" +
                  std::to_string(kPlotW) + "z";
    tips += row_tip(row, total, y, l.pitch);
    if (!row.label.empty())
      tips += svg_text(kLeft - 6, bottom - 1.0, row.label, "end", "class=\"tick\"");
  }
  std::string svg = "<path fill=\"#f1f1f1\" d=\"" + background + "\"/>";
  for (size_t i = 0; i < kKinds; ++i)
    svg += "<path class=\"span-" + std::string(results::span_kind_name(kStack[i])) + "\" fill=\"" +
           color_of(kStack[i]) + "\" d=\"" + bars[i].d() + "\"/>";
  return svg + tips;
}

// Time axis under the rows: grid, ticks in seconds, its title.
std::string time_axis(double extent_s, int rows_bottom) {
  std::string svg;
  const double step = tick_step(extent_s, 8);
  for (double t = 0; step > 0 && t <= extent_s * 1.0001; t += step) {
    const double x = kLeft + t / extent_s * kPlotW;
    svg += svg_line(x, kTop - 4, x, rows_bottom + 2, "class=\"grid\"");
    svg += svg_text(x, rows_bottom + 16, short_number(t) + " s", "middle", "class=\"tick\"");
  }
  return svg + svg_text(kLeft + kPlotW / 2.0, rows_bottom + 34, "seconds since the run started",
                        "middle", "class=\"axis\"");
}

std::string legend(const Layout &l) {
  std::string svg;
  double x = kLeft;
  for (SpanKind k : {SpanKind::io, SpanKind::cpu, SpanKind::queued, SpanKind::retry}) {
    svg += "<rect x=\"" + std::to_string(static_cast<int>(x)) + "\" y=\"30\" width=\"11\" " +
           "height=\"11\" fill=\"" + color_of(k) + "\"/>";
    svg += svg_text(x + 15, 40, meaning_of(k), "start", "class=\"label\"");
    x += 30 + 6.6 * std::string(meaning_of(k)).size();
  }
  const char *note = l.bands ? "bar height: share of the row's lanes busy"
                             : "a shorter bar: busy part of that pixel";
  return svg + svg_text(kLeft + kPlotW, 18, note, "end", "class=\"tick\"");
}

}  // namespace

std::string timeline_chart(const std::string &caption, const TimelineRun &run) {
  int lanes = run.lanes;
  if (run.first_omitted >= 0) {
    lanes = 0;
    for (const auto &s : run.spans) lanes = std::max(lanes, s.lane + 1);
  }
  if (lanes <= 0) return "";
  std::vector<char> solves;
  const std::vector<int> workers = workers_of(run, lanes, solves);
  const Layout layout =
      lanes > kMaxLanesDrawn ? band_layout(workers, solves) : lane_layout(workers);
  long long extent_us = std::max(run.wall_us, 1LL);
  for (const auto &s : run.spans) extent_us = std::max(extent_us, s.end_us);
  Raster raster(layout.rows.size(), kPlotW / layout.column_px, static_cast<double>(extent_us));
  std::vector<size_t> row_of(static_cast<size_t>(lanes));
  for (size_t r = 0; r < layout.rows.size(); ++r)
    for (int i = 0; i < layout.rows[r].lanes; ++i)
      row_of[static_cast<size_t>(layout.rows[r].first_lane + i)] = r;
  for (const auto &s : run.spans)
    if (s.lane >= 0 && s.lane < lanes)
      raster.add(row_of[static_cast<size_t>(s.lane)], s.kind, static_cast<double>(s.start_us),
                 static_cast<double>(s.end_us));
  raster.finish();
  const int rows_bottom = kTop + static_cast<int>(layout.rows.size()) * layout.pitch;
  const int height = rows_bottom + kAxisH;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) +
                    "\" height=\"" + std::to_string(height) +
                    "\" role=\"img\" class=\"timeline\" data-lanes=\"" + std::to_string(lanes) +
                    "\" data-mode=\"" + (layout.bands ? "bands" : "lanes") + "\">";
  svg += svg_text(8, 18, caption, "start", "class=\"title\"");
  svg += legend(layout);
  svg += time_axis(static_cast<double>(extent_us) / 1e6, rows_bottom);
  svg += draw_rows(raster, layout);
  return svg + "</svg>";
}

}  // namespace concur::report
