#include "report/svg.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

namespace concur::report {
namespace {

constexpr int kWidth = 880, kLabelWidth = 330, kRow = 24, kTop = 34, kAxis = 34;

std::string num(double v) {
  char text[32];
  if (v != 0 && (std::fabs(v) >= 1e6 || std::fabs(v) < 1e-3))
    std::snprintf(text, sizeof text, "%.2g", v);
  else if (std::fabs(v) >= 1000)  // 10000, not %.4g's 1e+04
    std::snprintf(text, sizeof text, "%.0f", v);
  else
    std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}

// A label in lines that fit left of the bars, broken at spaces (a word
// longer than a line stays whole): two labels never shorten into one text.
std::vector<std::string> wrapped(const std::string &label) {
  constexpr size_t kMax = 42;  // at 12px, what fits left of the bars
  std::vector<std::string> lines(1);
  size_t from = 0;
  while (from < label.size()) {
    size_t to = label.find(' ', from);
    if (to == std::string::npos) to = label.size();
    const std::string word = label.substr(from, to - from);
    if (!lines.back().empty() && lines.back().size() + 1 + word.size() > kMax) lines.emplace_back();
    lines.back() += (lines.back().empty() ? "" : " ") + word;
    from = to + 1;
  }
  return lines;
}

int row_height(const Bar &b) {
  return kRow + 14 * (static_cast<int>(wrapped(b.label).size()) - 1);
}

std::string fmt(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

// 1, 2 or 5 times a power of ten: a tick step giving about `ticks` ticks.
double nice_step(double span, int ticks) {
  const double raw = span / ticks, power = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * power) return m * power;
  return 10 * power;
}

std::string text(double x, double y, const std::string &s, const char *anchor = "start",
                 const char *extra = "") {
  return "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" text-anchor=\"" + anchor + "\" " + extra +
         ">" + html_escape(s) + "</text>";
}

std::string line(double x1, double y1, double x2, double y2, const char *style) {
  return "<line x1=\"" + fmt(x1) + "\" y1=\"" + fmt(y1) + "\" x2=\"" + fmt(x2) + "\" y2=\"" +
         fmt(y2) + "\" " + style + "/>";
}

std::string svg_open(int width, int height) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
         "\" height=\"" + std::to_string(height) + "\" role=\"img\">";
}

// ---- bar_chart --------------------------------------------------------------

// The value axis: from 0, or from a decade on a log scale, to `hi`.
struct BarAxis {
  bool log_scale;
  double lo, hi;
  double plot;  // pixels from the labels to the end of the axis

  double x(double v) const {
    if (log_scale) v = std::max(v, lo);
    const double f = log_scale ? std::log10(v / lo) / std::log10(hi / lo) : v / hi;
    return kLabelWidth + std::clamp(f, 0.0, 1.0) * plot;
  }
};

// A log scale only when asked for and the values span more than 20 times; a
// fixed end (`axis_max` > 0) is always linear.
BarAxis bar_axis(const std::vector<Bar> &bars, bool log_scale, double axis_max) {
  double top = 0, bottom = std::numeric_limits<double>::max();
  for (const Bar &b : bars) {
    top = std::max({top, b.value, std::isnan(b.high) ? 0 : b.high});
    if (b.value > 0) bottom = std::min(bottom, b.value);
  }
  if (top <= 0) top = 1;
  if (axis_max > 0) {
    top = std::max(top, axis_max);
    log_scale = false;
  }
  log_scale = log_scale && bottom < top / 20;
  double lo = log_scale ? std::pow(10, std::floor(std::log10(bottom))) : 0;
  if (log_scale && bottom < lo * 3) lo /= 10;
  const double hi = log_scale      ? std::pow(10, std::ceil(std::log10(top)))
                    : axis_max > 0 ? top
                                   : top * 1.05;
  // Room right of the longest bar for its value's text (about 7 px a letter).
  size_t longest = 8;
  for (const Bar &b : bars) longest = std::max(longest, b.value_text.size());
  return {log_scale, lo, hi, kWidth - kLabelWidth - 10 - 7.0 * static_cast<double>(longest)};
}

// Ticks: decades on a log axis, nice steps on a linear one.
std::string bar_ticks(const BarAxis &axis, const std::string &unit, double top, double axis_y) {
  std::vector<double> ticks;
  if (axis.log_scale)
    for (double t = axis.lo; t <= axis.hi * 1.0001; t *= 10) ticks.push_back(t);
  else
    for (double step = nice_step(axis.hi, 5), t = 0; t <= axis.hi; t += step) ticks.push_back(t);
  std::string svg;
  for (double t : ticks) {
    svg += line(axis.x(t), top - 4.0, axis.x(t), axis_y, "class=\"grid\"");
    svg += text(axis.x(t), axis_y + 16, num(t) + unit, "middle", "class=\"tick\"");
  }
  return svg;
}

// One row: label, bar, whisker and value, grouped under the bar's tooltip.
std::string bar_row(const BarAxis &axis, const Bar &b, const std::string &unit, double y) {
  std::string svg =
      "<g><title>" +
      html_escape(b.tooltip.empty() ? b.label + ": " + num(b.value) + unit : b.tooltip) +
      "</title>";
  // One <text> per label (its lines as <tspan>s), so the label reads whole.
  const std::vector<std::string> lines = wrapped(b.label);
  svg += "<text x=\"" + fmt(kLabelWidth - 8) + "\" y=\"" + fmt(y + 15) +
         "\" text-anchor=\"end\" class=\"label\">";
  for (size_t i = 0; i < lines.size(); ++i)
    svg += "<tspan x=\"" + fmt(kLabelWidth - 8) + "\"" + (i ? " dy=\"14\"" : "") + ">" +
           html_escape(lines[i] + (i + 1 < lines.size() ? " " : "")) + "</tspan>";
  svg += "</text>";
  const double bar_y = y + (row_height(b) - kRow) / 2.0;
  svg += "<rect x=\"" + fmt(kLabelWidth) + "\" y=\"" + fmt(bar_y + 3) + "\" width=\"" +
         fmt(std::max(1.0, axis.x(b.value) - kLabelWidth)) + "\" height=\"" +
         std::to_string(kRow - 6) + "\" fill=\"" + b.color + "\"/>";
  if (!std::isnan(b.low) && !std::isnan(b.high)) {
    const double mid = bar_y + kRow / 2.0;
    svg += line(axis.x(b.low), mid, axis.x(b.high), mid, "class=\"whisker\"");
    svg += line(axis.x(b.low), mid - 5, axis.x(b.low), mid + 5, "class=\"whisker\"");
    svg += line(axis.x(b.high), mid - 5, axis.x(b.high), mid + 5, "class=\"whisker\"");
  }
  svg +=
      text(axis.x(std::isnan(b.high) ? b.value : std::max(b.value, b.high)) + 6, bar_y + 15,
           b.value_text.empty() ? num(b.value) + unit : b.value_text, "start", "class=\"value\"");
  return svg + "</g>";
}

// Colour keys under the title, from the left edge of the bars, in as many
// rows as they need to stay inside the chart. `rows` is set to that number.
constexpr int kLegendRow = 22;
std::string legend_rows(const std::vector<LegendEntry> &legend, int &rows) {
  std::string svg;
  double x = kLabelWidth;
  rows = legend.empty() ? 0 : 1;
  for (const LegendEntry &entry : legend) {
    const double width = 16 + 7.0 * static_cast<double>(entry.name.size()) + 14;
    if (x > kLabelWidth && x + width - 14 > kWidth - 8) {
      x = kLabelWidth;
      ++rows;
    }
    const double y = 31 + (rows - 1) * kLegendRow;
    svg += "<rect x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" width=\"12\" height=\"12\" fill=\"" +
           entry.color + "\"/>";
    svg += text(x + 16, y + 11, entry.name, "start", "class=\"legend\"");
    x += width;
  }
  return svg;
}

// ---- line_chart -------------------------------------------------------------

constexpr int kLineHeight = 380, kLeft = 70, kRight = 200, kLineTop = 40, kLineBottom = 50;
constexpr double kPlotW = kWidth - kLeft - kRight, kPlotH = kLineHeight - kLineTop - kLineBottom;

// x on a log2 axis from the smallest x (`span` doublings wide), y from 0.
struct LinePlot {
  double x_lo, x_hi, y_hi, span;

  double px(double x) const { return kLeft + std::log2(std::max(x, x_lo) / x_lo) / span * kPlotW; }
  double py(double y) const { return kLineTop + kPlotH - y / y_hi * kPlotH; }
};

// None when no x is positive: nothing to draw.
std::optional<LinePlot> line_plot(const std::vector<Series> &series, bool ideal) {
  double x_lo = std::numeric_limits<double>::max(), x_hi = 0, y_hi = 0;
  for (const Series &s : series)
    for (const Point &p : s.points) {
      x_lo = std::min(x_lo, p.x);
      x_hi = std::max(x_hi, p.x);
      y_hi = std::max({y_hi, p.y, std::isnan(p.high) ? 0 : p.high});
    }
  if (x_hi <= 0) return std::nullopt;
  if (ideal) y_hi = std::max(y_hi, std::min(x_hi, y_hi * 1.5));
  y_hi = y_hi <= 0 ? 1 : y_hi * 1.1;
  x_lo = std::max(x_lo, 1e-9);
  return LinePlot{x_lo, x_hi, y_hi, std::max(std::log2(x_hi / x_lo), 1.0)};
}

// Grid and ticks (y in nice steps, x at doublings), and both axes' labels.
std::string line_axes(const LinePlot &p, const std::string &x_label, const std::string &y_label) {
  std::string svg;
  for (double step = nice_step(p.y_hi, 5), t = 0; t <= p.y_hi; t += step) {
    svg += line(kLeft, p.py(t), kLeft + kPlotW, p.py(t), "class=\"grid\"");
    svg += text(kLeft - 6, p.py(t) + 4, num(t), "end", "class=\"tick\"");
  }
  double last_tick = p.x_lo;
  for (double t = p.x_lo; t <= p.x_hi * 1.0001; t *= 2) {
    svg += line(p.px(t), kLineTop, p.px(t), kLineTop + kPlotH, "class=\"grid\"");
    svg += text(p.px(t), kLineTop + kPlotH + 16, num(t), "middle", "class=\"tick\"");
    last_tick = t;
  }
  if (p.x_hi > last_tick * 1.3)  // the widest point off the doublings (200 after 128)
    svg += text(p.px(p.x_hi), kLineTop + kPlotH + 16, num(p.x_hi), "middle", "class=\"tick\"");
  svg += text(kLeft + kPlotW / 2, kLineHeight - 8, x_label, "middle", "class=\"axis\"");
  svg += text(
      14, kLineTop + kPlotH / 2, y_label, "middle",
      ("class=\"axis\" transform=\"rotate(-90 14 " + fmt(kLineTop + kPlotH / 2) + ")\"").c_str());
  return svg;
}

// y = x: n at once, n times the baseline; its legend entry follows the series'.
std::string ideal_line(const LinePlot &p, size_t series_count) {
  std::string points;
  for (double t = p.x_lo; t <= p.x_hi * 1.0001; t *= 2)
    if (t <= p.y_hi) points += fmt(p.px(t)) + "," + fmt(p.py(t)) + " ";
  std::string svg =
      "<polyline points=\"" + points +
      "\" class=\"ideal\"><title>perfect scaling: n at once, n times faster</title></polyline>";
  const double ly = kLineTop + 14 + series_count * 20.0;
  svg += line(kLeft + kPlotW + 16, ly - 4, kLeft + kPlotW + 28, ly - 4, "class=\"ideal\"");
  svg += text(kLeft + kPlotW + 34, ly, "perfect (n\u00d7)", "start", "class=\"legend\"");
  return svg;
}

// The i-th series: its line, a marker and error bar per point (with a
// tooltip), its legend entry. A fitted curve is a thin dashed line only.
std::string series_line(const LinePlot &p, const Series &s, size_t i) {
  std::string points;
  for (const Point &pt : s.points) points += fmt(p.px(pt.x)) + "," + fmt(p.py(pt.y)) + " ";
  std::string svg = "<polyline points=\"" + points + "\" fill=\"none\" stroke=\"" + s.color +
                    (s.fitted ? "\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"/>"
                              : "\" stroke-width=\"2.5\"/>");
  for (const Point &pt : s.points) {
    if (s.fitted) break;
    if (!std::isnan(pt.low) && !std::isnan(pt.high)) {
      const std::string style = "stroke=\"" + s.color + "\" stroke-width=\"1.5\"";
      svg += line(p.px(pt.x), p.py(pt.low), p.px(pt.x), p.py(pt.high), style.c_str());
      svg += line(p.px(pt.x) - 4, p.py(pt.low), p.px(pt.x) + 4, p.py(pt.low), style.c_str());
      svg += line(p.px(pt.x) - 4, p.py(pt.high), p.px(pt.x) + 4, p.py(pt.high), style.c_str());
    }
    std::string tip = s.name + " at " + num(pt.x) + ": " + num(pt.y);
    if (!std::isnan(pt.low)) tip += " (95% interval " + num(pt.low) + " to " + num(pt.high) + ")";
    svg += "<circle cx=\"" + fmt(p.px(pt.x)) + "\" cy=\"" + fmt(p.py(pt.y)) + "\" r=\"4\" fill=\"" +
           s.color + "\"><title>" + html_escape(tip) + "</title></circle>";
  }
  const double ly = kLineTop + 14 + i * 20.0;
  if (s.fitted)
    svg +=
        line(kLeft + kPlotW + 16, ly - 4, kLeft + kPlotW + 28, ly - 4,
             ("stroke=\"" + s.color + "\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"").c_str());
  else
    svg += "<rect x=\"" + fmt(kLeft + kPlotW + 16) + "\" y=\"" + fmt(ly - 10) +
           "\" width=\"12\" height=\"12\" fill=\"" + s.color + "\"/>";
  svg += text(kLeft + kPlotW + 34, ly, s.name, "start", "class=\"legend\"");
  return svg;
}

}  // namespace

std::string html_escape(const std::string &in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string bar_chart(const std::string &title, const std::string &unit,
                      const std::vector<Bar> &bars, bool log_scale, double axis_max,
                      const std::vector<LegendEntry> &legend) {
  const BarAxis axis = bar_axis(bars, log_scale, axis_max);
  int legend_lines = 0;
  const std::string keys = legend_rows(legend, legend_lines);
  const int top = kTop + legend_lines * kLegendRow;
  int rows = 0;
  for (const Bar &b : bars) rows += row_height(b);
  std::string svg = svg_open(kWidth, top + rows + kAxis);
  svg += text(8, 20, title + (axis.log_scale ? " (log scale)" : ""), "start", "class=\"title\"");
  svg += keys;
  const double axis_y = top + rows + 4.0;
  svg += bar_ticks(axis, unit, top, axis_y);
  double y = top;
  for (const Bar &b : bars) {
    svg += bar_row(axis, b, unit, y);
    y += row_height(b);
  }
  return svg + "</svg>";
}

std::string line_chart(const std::string &title, const std::string &x_label,
                       const std::string &y_label, const std::vector<Series> &series, bool ideal) {
  const std::optional<LinePlot> plot = line_plot(series, ideal);
  if (!plot) return "";
  std::string svg = svg_open(kWidth, kLineHeight);
  svg += text(8, 20, title, "start", "class=\"title\"");
  svg += line_axes(*plot, x_label, y_label);
  if (ideal) svg += ideal_line(*plot, series.size());
  for (size_t i = 0; i < series.size(); ++i) svg += series_line(*plot, series[i], i);
  return svg + "</svg>";
}

// ---- Primitives ---------------------------------------------------------------

std::string svg_text(double x, double y, const std::string &s, const char *anchor,
                     const char *extra) {
  return text(x, y, s, anchor, extra);
}
std::string svg_line(double x1, double y1, double x2, double y2, const char *style) {
  return line(x1, y1, x2, y2, style);
}
double tick_step(double span, int ticks) {
  return nice_step(span, ticks);
}
std::string short_number(double v) {
  return num(v);
}

}  // namespace concur::report
