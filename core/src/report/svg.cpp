#include "report/svg.hpp"

#include <algorithm>
#include <cstdio>

namespace concur::report {
namespace {

constexpr int kWidth = 880, kLabelWidth = 330, kRow = 24, kTop = 34, kAxis = 34;

std::string num(double v) {
  char text[32];
  if (v != 0 && (std::fabs(v) >= 1e6 || std::fabs(v) < 1e-3))
    std::snprintf(text, sizeof text, "%.2g", v);
  else
    std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}

// Labels longer than the label column holds end in "..."; the bar's tooltip
// has the whole of it.
std::string shortened(const std::string &label) {
  constexpr size_t kMax = 42;  // at 12px, what fits left of the bars
  return label.size() <= kMax ? label : label.substr(0, kMax - 1) + "\u2026";
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
                      const std::vector<Bar> &bars, bool log_scale, double axis_max) {
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
  const double lo = log_scale ? std::pow(10, std::floor(std::log10(bottom))) : 0;
  const double hi = log_scale      ? std::pow(10, std::ceil(std::log10(top)))
                    : axis_max > 0 ? top
                                   : top * 1.05;
  const double plot = kWidth - kLabelWidth - 70;
  auto x_of = [&](double v) {
    if (log_scale) v = std::max(v, lo);
    const double f = log_scale ? std::log10(v / lo) / std::log10(hi / lo) : v / hi;
    return kLabelWidth + std::clamp(f, 0.0, 1.0) * plot;
  };
  const int height = kTop + static_cast<int>(bars.size()) * kRow + kAxis;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) +
                    "\" height=\"" + std::to_string(height) + "\" role=\"img\">";
  svg += text(8, 20, title + (log_scale ? " (log scale)" : ""), "start", "class=\"title\"");
  const double axis_y = kTop + bars.size() * kRow + 4.0;
  // Ticks: decades on a log axis, nice steps on a linear one.
  std::vector<double> ticks;
  if (log_scale)
    for (double t = lo; t <= hi * 1.0001; t *= 10) ticks.push_back(t);
  else
    for (double step = nice_step(hi, 5), t = 0; t <= hi; t += step) ticks.push_back(t);
  for (double t : ticks) {
    svg += line(x_of(t), kTop - 4.0, x_of(t), axis_y, "class=\"grid\"");
    svg += text(x_of(t), axis_y + 16, num(t) + unit, "middle", "class=\"tick\"");
  }
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar &b = bars[i];
    const double y = kTop + i * kRow;
    svg += "<g><title>" +
           html_escape(b.tooltip.empty() ? b.label + ": " + num(b.value) + unit : b.tooltip) +
           "</title>";
    svg += text(kLabelWidth - 8, y + 15, shortened(b.label), "end", "class=\"label\"");
    svg += "<rect x=\"" + fmt(kLabelWidth) + "\" y=\"" + fmt(y + 3) + "\" width=\"" +
           fmt(std::max(1.0, x_of(b.value) - kLabelWidth)) + "\" height=\"" +
           std::to_string(kRow - 6) + "\" fill=\"" + b.color + "\"/>";
    if (!std::isnan(b.low) && !std::isnan(b.high)) {
      const double mid = y + kRow / 2.0;
      svg += line(x_of(b.low), mid, x_of(b.high), mid, "class=\"whisker\"");
      svg += line(x_of(b.low), mid - 5, x_of(b.low), mid + 5, "class=\"whisker\"");
      svg += line(x_of(b.high), mid - 5, x_of(b.high), mid + 5, "class=\"whisker\"");
    }
    svg += text(x_of(std::isnan(b.high) ? b.value : std::max(b.value, b.high)) + 6, y + 15,
                num(b.value) + unit, "start", "class=\"value\"");
    svg += "</g>";
  }
  return svg + "</svg>";
}

std::string line_chart(const std::string &title, const std::string &x_label,
                       const std::string &y_label, const std::vector<Series> &series, bool ideal) {
  double x_lo = std::numeric_limits<double>::max(), x_hi = 0, y_hi = 0;
  for (const Series &s : series)
    for (const auto &[x, y] : s.points) {
      x_lo = std::min(x_lo, x);
      x_hi = std::max(x_hi, x);
      y_hi = std::max(y_hi, y);
    }
  if (x_hi <= 0) return "";
  if (ideal) y_hi = std::max(y_hi, std::min(x_hi, y_hi * 1.5));
  y_hi = y_hi <= 0 ? 1 : y_hi * 1.1;
  x_lo = std::max(x_lo, 1e-9);
  const double span = std::max(std::log2(x_hi / x_lo), 1.0);
  const int width = kWidth, height = 380, left = 70, right = 200, top = 40, bottom = 50;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  auto px = [&](double x) { return left + std::log2(std::max(x, x_lo) / x_lo) / span * plot_w; };
  auto py = [&](double y) { return top + plot_h - y / y_hi * plot_h; };
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
                    "\" height=\"" + std::to_string(height) + "\" role=\"img\">";
  svg += text(8, 20, title, "start", "class=\"title\"");
  for (double step = nice_step(y_hi, 5), t = 0; t <= y_hi; t += step) {
    svg += line(left, py(t), left + plot_w, py(t), "class=\"grid\"");
    svg += text(left - 6, py(t) + 4, num(t), "end", "class=\"tick\"");
  }
  double last_tick = x_lo;
  for (double t = x_lo; t <= x_hi * 1.0001; t *= 2) {
    svg += line(px(t), top, px(t), top + plot_h, "class=\"grid\"");
    svg += text(px(t), top + plot_h + 16, num(t), "middle", "class=\"tick\"");
    last_tick = t;
  }
  if (x_hi > last_tick * 1.3)  // the widest point off the doublings (200 after 128)
    svg += text(px(x_hi), top + plot_h + 16, num(x_hi), "middle", "class=\"tick\"");
  svg += text(left + plot_w / 2, height - 8, x_label, "middle", "class=\"axis\"");
  svg +=
      text(14, top + plot_h / 2, y_label, "middle",
           ("class=\"axis\" transform=\"rotate(-90 14 " + fmt(top + plot_h / 2) + ")\"").c_str());
  if (ideal) {  // y = x: n at once, n times the baseline
    std::string points;
    for (double t = x_lo; t <= x_hi * 1.0001; t *= 2)
      if (t <= y_hi) points += fmt(px(t)) + "," + fmt(py(t)) + " ";
    svg +=
        "<polyline points=\"" + points +
        "\" class=\"ideal\"><title>perfect scaling: n at once, n times faster</title></polyline>";
    const double ly = top + 14 + series.size() * 20.0;
    svg += line(left + plot_w + 16, ly - 4, left + plot_w + 28, ly - 4, "class=\"ideal\"");
    svg += text(left + plot_w + 34, ly, "perfect (n\u00d7)", "start", "class=\"label\"");
  }
  for (size_t i = 0; i < series.size(); ++i) {
    const Series &s = series[i];
    std::string points;
    for (const auto &[x, y] : s.points) points += fmt(px(x)) + "," + fmt(py(y)) + " ";
    svg += "<polyline points=\"" + points + "\" fill=\"none\" stroke=\"" + s.color +
           "\" stroke-width=\"2.5\"/>";
    for (const auto &[x, y] : s.points)
      svg += "<circle cx=\"" + fmt(px(x)) + "\" cy=\"" + fmt(py(y)) + "\" r=\"4\" fill=\"" +
             s.color + "\"><title>" + html_escape(s.name + " at " + num(x) + ": " + num(y)) +
             "</title></circle>";
    const double ly = top + 14 + i * 20.0;
    svg += "<rect x=\"" + fmt(left + plot_w + 16) + "\" y=\"" + fmt(ly - 10) +
           "\" width=\"12\" height=\"12\" fill=\"" + s.color + "\"/>";
    svg += text(left + plot_w + 34, ly, s.name, "start", "class=\"label\"");
  }
  return svg + "</svg>";
}

}  // namespace concur::report
