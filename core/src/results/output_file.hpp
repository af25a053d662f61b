// Small pieces every results writer needs: an output file opened for writing
// (its folders made), and a time in seconds as whole microseconds (the trace
// and the timeline round start and end, never a duration on its own, so spans
// on one lane never overlap in the file).
#pragma once

#include <cmath>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <stdexcept>
#include <string>

namespace concur::results {

// Creates the parent folders and truncates the file; std::runtime_error
// naming the path when it cannot be written.
inline std::ofstream open_truncated(const std::string &path) {
  const std::filesystem::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  std::ofstream out(path, std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path);
  return out;
}

// Says in one line what writing the result set at `path` does besides
// writing it: make folders that do not exist yet, replace an earlier file.
inline void announce_output(const std::string &path, std::ostream &log) {
  const std::filesystem::path target(path);
  std::error_code ec;
  if (std::filesystem::exists(target, ec)) {
    log << "concur: replacing " << path << ", an earlier result set (-o names another file)\n";
  } else if (target.has_parent_path() && !std::filesystem::exists(target.parent_path(), ec)) {
    log << "concur: creating the folder " << target.parent_path().string() << " for " << path
        << "\n";
  }
}

// What files beside a result set are named from: "results/x.csv" (a runs
// CSV) or "results/x.json" (its results document) -> "results/x"; any other
// name whole ("out" -> "out").
inline std::string results_stem(const std::string &path) {
  for (const std::string ext : {".csv", ".json"})
    if (path.size() > ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0)
      return path.substr(0, path.size() - ext.size());
  return path;
}

inline long long micros(double seconds) {
  return std::llround(seconds * 1e6);
}

}  // namespace concur::results
