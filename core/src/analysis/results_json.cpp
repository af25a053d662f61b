#include "analysis/results_json.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "analysis/summary_csv.hpp"
#include "results/csv.hpp"

namespace concur::analysis {
namespace {

using Json = nlohmann::ordered_json;  // keys stay in the CSV's column order

// A cell as JSON: null when blank, a number for a numeric column, else text.
Json value_of(const std::string &cell, bool numeric) {
  if (cell.empty()) return nullptr;
  if (!numeric) return cell;
  char *end = nullptr;
  const double v = std::strtod(cell.c_str(), &end);
  if (*end != '\0') return cell;  // never happens for our own columns; keep the text
  // Integers stay integers ("60", not 60.0), as the CSV writes them.
  if (cell.find_first_of(".eE") == std::string::npos && v >= -9e15 && v <= 9e15)
    return static_cast<long long>(v);
  return v;
}

// A runs column: `noisy` is true or false (`gil`, a dimension's value, stays text).
Json run_value(const std::string &name, const std::string &cell) {
  if (name == "noisy" && !cell.empty()) return cell == "true";
  return value_of(cell, results::is_numeric_column(name));
}

}  // namespace

RowCells row_cells(const results::RunResult &run) {
  RowCells cells;
  const auto names = results::csv_header();
  const auto fields = results::csv_fields(run);
  for (size_t i = 0; i < names.size(); ++i) cells.emplace_back(names[i], fields[i]);
  for (const auto &extra : run.extra_columns) cells.push_back(extra);
  return cells;
}

bool is_numeric_summary_column(const std::string &name) {
  static const char *kText[] = {"experiment", "strategy",      "options",   "label",
                                "baseline",   "usl_dimension", "thresholds"};
  return std::none_of(std::begin(kText), std::end(kText),
                      [&name](const char *t) { return name == t; });
}

void write_results_json(const std::string &path, const std::string &experiment,
                        const std::vector<RowCells> &runs, const Analysis &analysis) {
  Json doc = {{"format", kResultsFormat},
              {"version", kResultsVersion},
              {"experiment", experiment},
              {"runs", Json::array()},
              {"summary", Json::array()}};
  for (const RowCells &row : runs) {
    Json run = Json::object();
    for (const auto &[name, cell] : row) run[name] = run_value(name, cell);
    doc["runs"].push_back(std::move(run));
  }
  const auto header = summary_header();
  for (const auto &row : summary_rows(analysis)) {
    Json config = Json::object();
    for (size_t i = 0; i < header.size(); ++i)
      config[header[i]] = value_of(row[i], is_numeric_summary_column(header[i]));
    doc["summary"].push_back(std::move(config));
  }
  const std::filesystem::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << doc.dump(1) << '\n';
    out.close();
    if (!out) throw std::runtime_error("cannot write " + temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot replace " + path + " with " + temporary);
}

}  // namespace concur::analysis
