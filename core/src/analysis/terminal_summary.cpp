#include "analysis/terminal_summary.hpp"

#include <algorithm>
#include <cmath>

namespace concur::analysis {
namespace {

std::string interval(double low, double high) {
  if (std::isnan(low) || std::isnan(high)) return "";
  return "[" + significant(low) + " – " + significant(high) + "]";
}

std::string pad(const std::string &text, size_t width) {
  // The en dash and the Greek letters are one column but several bytes.
  size_t columns = 0;
  for (unsigned char c : text) columns += (c & 0xC0) != 0x80;
  return text + std::string(width > columns ? width - columns : 0, ' ');
}

}  // namespace

std::string describe_usl(const UslFit &fit, const std::string &rate_unit) {
  std::string peak =
      std::isinf(fit.peak_n) ? "no peak (κ = 0)" : "peak at N* = " + significant(fit.peak_n, 3);
  return "σ " + significant(fit.sigma, 3) + " (contention), κ " + significant(fit.kappa, 3) +
         " (coherency), λ " + significant(fit.lambda, 4) + " " + rate_unit + ", " + peak + ", R² " +
         significant(fit.r2, 3);
}

void print_repeat_summary(std::ostream &out, const Analysis &a) {
  size_t width = 0, wall_width = 0;
  std::vector<std::string> walls;
  for (const ConfigSummary &c : a.configs) {
    width = std::max(width, c.label.size());
    walls.push_back(c.wall.n == 0 ? "no ok run"
                                  : significant(c.wall.median) + " s " +
                                        interval(c.wall.ci_low, c.wall.ci_high));
    wall_width = std::max(wall_width, walls.back().size());
  }
  out << "\nSummary over repeats: median wall time [95% interval of the mean], speedup over "
         "the baseline [95% interval]\n";
  if (!a.constant.empty()) out << "  all runs: " << a.constant << "\n";
  for (size_t i = 0; i < a.configs.size(); ++i) {
    const ConfigSummary &c = a.configs[i];
    std::string line = "  " + pad(c.label, width) + "  " + pad(walls[i], wall_width);
    if (c.baseline == static_cast<int>(i)) {
      line += "  baseline";
    } else if (c.baseline >= 0 && !std::isnan(c.speedup.value)) {
      line += "  " + significant(c.speedup.value) + "× " + interval(c.speedup.low, c.speedup.high) +
              " over " + a.configs[static_cast<size_t>(c.baseline)].label;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
    if (c.thresholds.rfind("missed", 0) == 0)
      out << "  " << std::string(width, ' ') << "  medians " << c.thresholds << "\n";
  }
  for (const SweepSummary &s : a.sweeps) {
    if (!s.usl) continue;
    const bool compute = a.configs[s.sweep.points.front().second].compute;
    out << "  USL, " << s.sweep.name << " over " << s.sweep.dimension << ": "
        << describe_usl(*s.usl, compute ? "tasks/s" : "pages/s") << "\n";
  }
  out.flush();
}

}  // namespace concur::analysis
