#include "report/runs.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace concur::report {
namespace {

class Reader {
 public:
  explicit Reader(const CsvTable &t) : t_(t) {}
  const std::string &text(size_t row, const std::string &name) const {
    return t_.rows[row][t_.column(name)];
  }
  // A number; a blank cell is NaN when `blank_ok`, else an error.
  double number(size_t row, const std::string &name, bool blank_ok = false) const {
    const std::string &cell = text(row, name);
    if (cell.empty() && blank_ok) return std::nan("");
    try {
      size_t used = 0;
      const double v = std::stod(cell, &used);
      if (used == cell.size() && std::isfinite(v)) return v;
    } catch (const std::exception &) {
    }
    throw ReadError(t_.source + ": row " + std::to_string(row + 1) + ", column " + name + ": '" +
                    cell + "' is not a number");
  }
  const std::string *optional(size_t row, const std::string &name) const {
    auto it = std::find(t_.header.begin(), t_.header.end(), name);
    return it == t_.header.end() ? nullptr
                                 : &t_.rows[row][static_cast<size_t>(it - t_.header.begin())];
  }

 private:
  const CsvTable &t_;
};

// "loop_blocked_s=7.08 in_flight_high_water=100": what parses as a number.
std::map<std::string, double> metrics_of(const std::string &text) {
  std::map<std::string, double> out;
  std::istringstream words(text);
  std::string word;
  while (words >> word) {
    const auto eq = word.find('=');
    if (eq == std::string::npos) continue;
    char *end = nullptr;
    const std::string value = word.substr(eq + 1);
    const double v = std::strtod(value.c_str(), &end);
    if (end != value.c_str() && *end == '\0' && std::isfinite(v)) out[word.substr(0, eq)] = v;
  }
  return out;
}

}  // namespace

std::vector<analysis::RunFigures> read_runs(const CsvTable &t) {
  Reader r(t);
  std::vector<analysis::RunFigures> runs;
  for (size_t i = 0; i < t.rows.size(); ++i) {
    analysis::RunFigures f;
    f.experiment = r.text(i, "experiment");
    f.strategy = r.text(i, "strategy");
    f.options = r.text(i, "options");
    f.ok = r.text(i, "status") == "ok";
    const double repeat = r.number(i, "repeat");
    if (repeat < 0 || repeat > 1e9)  // a cast of anything larger to int is undefined
      throw ReadError(t.source + ": row " + std::to_string(i + 1) +
                      ", column repeat: " + r.text(i, "repeat") + " is not a repeat number");
    f.repeat = static_cast<int>(repeat);
    f.wall_s = r.number(i, "wall_s");
    f.rate = r.number(i, "pages_per_s");
    f.efficiency = r.number(i, "efficiency");
    const std::string *workload = r.optional(i, "workload");
    f.compute = workload != nullptr && !workload->empty() && *workload != "crawl";
    if (!f.compute) {
      f.p50 = r.number(i, "latency_p50_ms", true);
      f.p90 = r.number(i, "latency_p90_ms", true);
      f.p99 = r.number(i, "latency_p99_ms", true);
    }
    for (const char *column : analysis::kContextColumns)
      if (const std::string *v = r.optional(i, column)) f.context.emplace_back(column, *v);
    if (const std::string *v = r.optional(i, "baseline")) f.baseline = *v;
    if (const std::string *v = r.optional(i, "speedup"); v != nullptr && !v->empty())
      f.speedup = r.number(i, "speedup");
    if (const std::string *v = r.optional(i, "metrics")) f.metrics = metrics_of(*v);
    if (const std::string *v = r.optional(i, "error")) f.error = *v;
    if (const std::string *v = r.optional(i, "program")) f.outside = !v->empty();
    if (const std::string *v = r.optional(i, "thresholds")) f.thresholds_cell = *v;
    runs.push_back(std::move(f));
  }
  return runs;
}

}  // namespace concur::report
