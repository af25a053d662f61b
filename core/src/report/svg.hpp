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

struct Bar {
  std::string label;
  double value = 0;
  double low = std::numeric_limits<double>::quiet_NaN();  // whisker, when both are numbers
  double high = std::numeric_limits<double>::quiet_NaN();
  std::string color;
  std::string tooltip;
};

// Horizontal bars, one per row, value axis below; `unit` after tick labels.
// `axis_max` > 0 fixes the value axis' end (efficiency: 1), else the data's.
std::string bar_chart(const std::string &title, const std::string &unit,
                      const std::vector<Bar> &bars, bool log_scale = false, double axis_max = 0);

struct Series {
  std::string name, color;
  std::vector<std::pair<double, double>> points;  // (x, y), x ascending
};

// Lines with markers; x on a log2 axis (worker counts double); `ideal`: draw
// y = x as a dashed reference (perfect scaling) when true.
std::string line_chart(const std::string &title, const std::string &x_label,
                       const std::string &y_label, const std::vector<Series> &series, bool ideal);

}  // namespace concur::report
