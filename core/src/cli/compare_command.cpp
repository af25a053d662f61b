// `concur compare BASE.csv NEW.csv`: each configuration of two result sets
// side by side on one figure, with a verdict a CI job can act on.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "analysis/analysis.hpp"
#include "analysis/compare.hpp"
#include "cli/commands.hpp"
#include "report/json_table.hpp"

namespace concur::cli {
namespace {

struct CompareArgs {
  std::string base, change, metric = "wall_s", fail_on;
  double min_change_pct = 2;
  bool json = false;
};

// What a result set holds: the metric's values of ok runs by configuration
// (in first-seen order), and the values of the settings that must agree.
struct ResultSet {
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> values;
  std::map<std::string, std::set<std::string>> settings;
  size_t rows = 0, noisy = 0;  // noisy: rows whose `noisy` column says true
};

// What makes two sets comparable: the experiment's settings and the
// fingerprint of the machine and build that measured.
constexpr const char *kSettings[] = {"seed",         "puzzle",     "max_pages",      "retry_limit",
                                     "fetch_policy", "timeout_ms", "concur_version", "build",
                                     "cpu_model",    "nproc",      "governor",       "kernel"};

ResultSet read_set(const std::string &path, const std::string &metric) {
  const report::CsvTable t = report::read_results(path);
  const size_t column = t.column(metric);  // ReadError naming the file when absent
  ResultSet set;
  for (size_t row = 0; row < t.rows.size(); ++row) {
    const auto &r = t.rows[row];
    const std::string key = r[t.column("strategy")] + (r[t.column("options")].empty() ? "" : " ") +
                            r[t.column("options")];
    if (!set.values.count(key)) set.order.push_back(key);
    auto &values = set.values[key];
    ++set.rows;
    if (auto it = std::find(t.header.begin(), t.header.end(), "noisy"); it != t.header.end())
      set.noisy += r[static_cast<size_t>(it - t.header.begin())] == "true";
    for (const char *name : kSettings)
      if (auto it = std::find(t.header.begin(), t.header.end(), name); it != t.header.end())
        set.settings[name].insert(r[static_cast<size_t>(it - t.header.begin())]);
    if (r[t.column("status")] != "ok") continue;
    const std::string &cell = r[column];
    char *end = nullptr;
    const double v = std::strtod(cell.c_str(), &end);
    if (cell.empty() || *end != '\0' || !std::isfinite(v))
      throw report::ReadError(path + ": row " + std::to_string(row + 1) + ", column " + metric +
                              ": '" + cell + "' is not a number");
    values.push_back(v);
  }
  return set;
}

std::string join(const std::set<std::string> &values) {
  std::string out;
  for (const auto &v : values) out += (out.empty() ? "" : ", ") + (v.empty() ? "(empty)" : v);
  return out;
}

std::vector<std::string> warnings(const ResultSet &base, const ResultSet &change) {
  std::vector<std::string> out;
  for (const char *name : kSettings) {
    auto a = base.settings.find(name), b = change.settings.find(name);
    if (a == base.settings.end() || b == change.settings.end() || a->second == b->second) continue;
    out.push_back(std::string(name) + " differs: " + join(a->second) + " (base) vs " +
                  join(b->second) + " (new)");
  }
  for (const auto &[set, name] : {std::pair{&base, "base"}, std::pair{&change, "new"}})
    if (set->noisy > 0)
      out.push_back(std::to_string(set->noisy) + " of " + std::to_string(set->rows) + " runs of " +
                    name + " shared the machine with other work (noisy)");
  return out;
}

std::string fixed(double v, int digits) {
  if (std::isnan(v)) return "";
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

void print_table(const std::vector<analysis::Comparison> &rows, const std::string &metric) {
  size_t width = 13;
  for (const auto &c : rows) width = std::max(width, c.configuration.size());
  // The metric's whole name heads the base column, which widens to hold it.
  const std::string base_head = "base " + metric;
  const int value_width = static_cast<int>(std::max<size_t>(12, base_head.size() + 1));
  std::cout << std::left << std::setw(static_cast<int>(width)) << "configuration" << std::right
            << "  n base/new  " << std::setw(value_width) << base_head << std::setw(value_width)
            << "new" << std::setw(9) << "ratio"
            << "  95% interval    " << std::setw(8) << "p"
            << "  verdict\n";
  for (const auto &c : rows) {
    const std::string interval =
        c.interval ? "[" + fixed(c.interval->first, 3) + ", " + fixed(c.interval->second, 3) + "]"
                   : "";
    std::cout << std::left << std::setw(static_cast<int>(width)) << c.configuration << std::right
              << std::setw(7) << c.base_n << "/" << std::left << std::setw(5) << c.new_n
              << std::right << std::setw(value_width) << analysis::significant(c.base_median)
              << std::setw(value_width) << analysis::significant(c.new_median) << std::setw(9)
              << fixed(c.ratio, 3) << "  " << std::left << std::setw(17) << interval << std::right
              << std::setw(8) << fixed(c.test.p, 4) << "  " << c.verdict << "\n";
  }
}

nlohmann::json to_json(const std::vector<analysis::Comparison> &rows, const CompareArgs &args,
                       const std::vector<std::string> &warned) {
  nlohmann::json out = {{"base", args.base},
                        {"new", args.change},
                        {"metric", args.metric},
                        {"warnings", warned},
                        {"configurations", nlohmann::json::array()}};
  for (const auto &c : rows) {
    nlohmann::json row = {
        {"configuration", c.configuration},
        {"base_n", c.base_n},
        {"new_n", c.new_n},
        {"base_median", c.base_median},
        {"new_median", c.new_median},
        {"ratio", std::isnan(c.ratio) ? nlohmann::json() : nlohmann::json(c.ratio)},
        {"p", c.test.p},
        {"p_exact", c.test.exact},
        {"verdict", c.verdict}};
    row["ratio_ci95"] =
        c.interval ? nlohmann::json{c.interval->first, c.interval->second} : nlohmann::json();
    out["configurations"].push_back(row);
  }
  return out;
}

int compare(const CompareArgs &args) {
  double share = -1;
  try {
    if (!args.fail_on.empty()) share = analysis::parse_fail_on(args.fail_on);
    const ResultSet base = read_set(args.base, args.metric),
                    change = read_set(args.change, args.metric);
    const bool lower_better = analysis::lower_is_better(args.metric);
    std::vector<analysis::Comparison> rows;
    for (const std::string &key : base.order)
      if (auto it = change.values.find(key); it != change.values.end())
        rows.push_back(analysis::compare(key, base.values.at(key), it->second, lower_better,
                                         args.min_change_pct / 100));
    if (rows.empty()) {
      std::cerr << "concur: compare: no configuration of " << args.base << " is in " << args.change
                << " (matched by strategy and options)\n";
      return kExitUsage;
    }
    const std::vector<std::string> warned = warnings(base, change);
    bool failed = false;
    for (const auto &c : rows)
      failed = failed || (share >= 0 && analysis::fails(c, share, lower_better));
    if (args.json) {
      std::cout << to_json(rows, args, warned).dump(2) << "\n";
    } else {
      for (const auto &w : warned) std::cout << "warning: " << w << "\n";
      print_table(rows, args.metric);
    }
    if (failed)
      std::cerr << "concur: compare: a configuration is significantly slower by more than "
                << fixed(100 * share, 1) << "% (--fail-on " << args.fail_on << ")\n";
    return failed ? kExitRunFailed : kExitOk;
  } catch (const report::ReadError &e) {
    std::cerr << "concur: " << e.what() << "\n";
  } catch (const std::invalid_argument &e) {
    std::cerr << "concur: " << e.what() << "\n";
  }
  return kExitUsage;
}

}  // namespace

Subcommand add_compare(CLI::App &app) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App *sub = app.add_subcommand(
      "compare",
      "Compare two result sets (runs CSVs or --json documents) configuration by configuration, "
      "with significance");
  sub->add_option("base", args->base, "The runs CSV (or results JSON) to compare against")
      ->required();
  sub->add_option("new", args->change, "The runs CSV (or results JSON) of the change")->required();
  sub->add_option("--metric", args->metric, "A numeric column of the runs CSV (default wall_s)");
  sub->add_option("--fail-on", args->fail_on,
                  "slower[:PCT]: exit 1 when a configuration is significantly slower by more "
                  "than PCT (e.g. slower:5%)");
  sub->add_option("--min-change", args->min_change_pct,
                  "A significant difference below this percentage is 'same' (default 2)")
      ->check(CLI::Range(0.0, 100.0));
  sub->add_flag("--json", args->json, "Print the comparison as JSON instead of a table");
  sub->footer(
      "Configurations are matched by strategy and options (workload and gil included). For\n"
      "each: the medians of its ok runs, their ratio new/base with a 95% interval\n"
      "(Hodges-Lehmann/Moses on the logarithms: exact for small samples), the two-sided\n"
      "Mann-Whitney p (exact without ties), and a verdict: faster, slower (by the metric's\n"
      "direction: higher pages_per_s or efficiency is faster), same (p >= 0.05, or a change\n"
      "under --min-change), or too few\n"
      "repeats (fewer than 4 runs a side cannot reach p < 0.05). Settings that differ\n"
      "between the sets (seed, puzzle, fetch policy, version ...) are warned of above the\n"
      "table. Exit 0; 1 under --fail-on when a configuration fails it; 2 for unreadable\n"
      "input or nothing matched.");
  return {sub, [args] { return compare(*args); }};
}

}  // namespace concur::cli
