#include "results/summary.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>

namespace concur::results {
namespace {

struct Column {
  const char *title;
  int width;  // negative: left-aligned
};
constexpr std::array<Column, 13> kColumns = {{{"strategy", -18},
                                              {"options", -24},
                                              {"rep", 3},
                                              {"pages", 6},
                                              {"fail", 5},
                                              {"reqs", 7},
                                              {"wall_s", 8},
                                              {"pages/s", 8},
                                              {"p50_ms", 8},
                                              {"p99_ms", 8},
                                              {"eff", 5},
                                              {"cpu_s", 7},
                                              {"rss_mb", 7}}};

std::string num(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

constexpr size_t kOptionsColumn = 1;
constexpr size_t kCountColumn = 3, kRateColumn = 7;  // "pages", "pages/s"

void print_cells(std::ostream &out, const std::array<std::string, kColumns.size()> &cells,
                 size_t options_width, const std::string &after = {}) {
  std::string row;
  for (size_t i = 0; i < cells.size(); ++i) {
    const bool left = kColumns[i].width < 0;
    size_t width = static_cast<size_t>(left ? -kColumns[i].width : kColumns[i].width);
    if (i == kOptionsColumn) width = std::max(width, options_width);
    const std::string pad(width > cells[i].size() ? width - cells[i].size() : 0, ' ');
    if (i > 0) row += ' ';
    row += left ? cells[i] + pad : pad + cells[i];
  }
  if (!after.empty()) row += "  " + after;
  while (!row.empty() && row.back() == ' ') row.pop_back();
  out << row << '\n';
}

}  // namespace

void print_summary_header(std::ostream &out, size_t options_width, bool compute) {
  std::array<std::string, kColumns.size()> titles;
  for (size_t i = 0; i < kColumns.size(); ++i) titles[i] = kColumns[i].title;
  if (compute) {
    titles[kCountColumn] = "tasks";
    titles[kRateColumn] = "tasks/s";
  }
  print_cells(out, titles, options_width);
}

void print_summary_row(std::ostream &out, const RunResult &r, size_t options_width) {
  const bool crawl = !r.is_compute();
  auto unless_compute = [crawl](std::string cell) { return crawl ? cell : std::string(); };
  // Blank, as in the CSV, where no answer was timed (an outside program's run).
  const bool timed = crawl && r.latency_ms.samples > 0;
  auto if_timed = [timed](std::string cell) { return timed ? cell : std::string(); };
  print_cells(
      out,
      {r.strategy, r.options.empty() ? "-" : r.options, std::to_string(r.repeat),
       std::to_string(r.pages_ok), std::to_string(r.pages_failed),
       unless_compute(std::to_string(r.requests)), num(r.wall_s, 2), num(r.pages_per_s(), 1),
       if_timed(num(r.latency_ms.p50, 1)), if_timed(num(r.latency_ms.p99, 1)),
       num(r.efficiency(), 2), num(r.cpu_user_s + r.cpu_sys_s, 2), num(r.max_rss_mb, 0)},
      options_width,
      r.ok()                           ? ""
      : r.status == RunStatus::skipped ? "[SKIPPED]"
                                       : "[FAILED]");
  if (!r.page_failures.empty())
    out << "    failed pages: " << describe_failures(r.page_failures) << '\n';
  for (const auto &f : r.validity) out << "    " << f.reason << ": " << f.detail << '\n';
  out.flush();
}

}  // namespace concur::results
