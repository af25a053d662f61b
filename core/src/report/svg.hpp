// Self-contained SVG charts for the HTML report: no script, no external
// resource, so the page renders the same offline, in any browser.
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace concur::report {

std::string html_escape(const std::string &text);

// What a colour means, drawn as a key in the chart's top right corner.
struct LegendEntry {
  std::string name, color;
};

struct Bar {
  std::string label;  // wrapped onto more lines when long, never cut
  double value = 0;
  double low = std::numeric_limits<double>::quiet_NaN();  // whisker, when both are numbers
  double high = std::numeric_limits<double>::quiet_NaN();
  std::string color;
  std::string tooltip;
  std::string value_text;  // beside the bar; empty: the value and unit
};

// Horizontal bars, one per row, value axis below; `unit` after tick labels.
// `axis_max` > 0 fixes the value axis' end (efficiency: 1), else the data's.
// A log axis starts at least half a decade below the smallest value, so the
// smallest bar stays visible.
std::string bar_chart(const std::string &title, const std::string &unit,
                      const std::vector<Bar> &bars, bool log_scale = false, double axis_max = 0,
                      const std::vector<LegendEntry> &legend = {});

struct Point {
  double x = 0, y = 0;
  double low = std::numeric_limits<double>::quiet_NaN();  // error bar, when both are numbers
  double high = std::numeric_limits<double>::quiet_NaN();
};

struct Series {
  std::string name, color;
  std::vector<Point> points;  // x ascending
  bool fitted = false;        // a model's curve: a thin dashed line, no markers
};

// Lines with markers; x on a log2 axis (worker counts double); `ideal`: draw
// y = x as a dashed reference (perfect scaling) when true.
std::string line_chart(const std::string &title, const std::string &x_label,
                       const std::string &y_label, const std::vector<Series> &series, bool ideal);

// ---- Primitives, for charts drawn in their own files (report/timeline.cpp) ---
std::string svg_text(double x, double y, const std::string &text, const char *anchor = "start",
                     const char *extra = "");  // escaped
std::string svg_line(double x1, double y1, double x2, double y2, const char *style);
double tick_step(double span, int ticks);  // 1, 2 or 5 times a power of ten
std::string short_number(double v);        // 4 significant digits

}  // namespace concur::report
