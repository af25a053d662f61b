#include "report/json_table.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis/results_json.hpp"

namespace concur::report {
namespace {

using Json = nlohmann::ordered_json;

// A value as the CSV cell it was written from: null blank, numbers in the
// shortest text that reads back to the same double.
std::string cell_of(const Json &v, const std::string &where) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  throw ReadError(where + ": expected a number, a string, true, false or null, got " + v.dump());
}

}  // namespace

CsvTable parse_results_json(std::string_view text, const std::string &source) {
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::exception &e) {  // parse_error, and out_of_range for a number too big
    throw ReadError(source + ": not JSON: " + e.what());
  }
  if (!doc.is_object() || doc.value("format", Json()) != analysis::kResultsFormat)
    throw ReadError(source + ": not a concur results document (\"format\": \"" +
                    std::string(analysis::kResultsFormat) + "\" is missing)");
  const Json version = doc.value("version", Json());
  if (!version.is_number_integer() || version.get<long long>() != analysis::kResultsVersion)
    throw ReadError(source + ": results version " + version.dump() + ", this concur reads " +
                    std::to_string(analysis::kResultsVersion));
  const Json runs = doc.value("runs", Json());
  if (!runs.is_array()) throw ReadError(source + ": \"runs\" is not a list");
  CsvTable t;
  t.source = source;
  for (const Json &run : runs)  // every column any run has, in first-seen order
    if (run.is_object())
      for (const auto &[name, value] : run.items())
        if (std::find(t.header.begin(), t.header.end(), name) == t.header.end())
          t.header.push_back(name);
  for (size_t i = 0; i < runs.size(); ++i) {
    const std::string where = source + ": runs[" + std::to_string(i) + "]";
    if (!runs[i].is_object()) throw ReadError(where + ": not an object");
    std::vector<std::string> row;
    for (const std::string &name : t.header) {
      const auto found = runs[i].find(name);
      row.push_back(found == runs[i].end() ? "" : cell_of(*found, where + "." + name));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

CsvTable read_results(const std::string &path) {
  const std::string extension = std::filesystem::path(path).extension().string();
  if (extension == ".yaml" || extension == ".yml" || extension == ".lua")
    throw ReadError(path + ": an experiment, not its results: `concur run " + path +
                    "` writes the runs CSV (output.runs) that report and compare read");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ReadError(path + ": cannot read file: " + std::strerror(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') return parse_results_json(text, path);
  return parse_csv(text, path);
}

}  // namespace concur::report
