// The runs CSV: a header, then one row per run, flushed as each run ends so a
// crash loses at most the run in flight.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "results/run_result.hpp"

namespace concur::results {

class CsvWriter {
 public:
  // Creates parent folders and truncates the file. Throws std::runtime_error
  // naming the path when it cannot be written.
  explicit CsvWriter(const std::string &path);
  void write(const RunResult &run);
  const std::string &path() const { return path_; }

 private:
  std::string path_;
  std::ofstream out_;
};

std::vector<std::string> csv_header();
std::vector<std::string> csv_fields(const RunResult &run);
// Quotes a field when it holds a comma, a quote or a line break (RFC 4180).
std::string csv_escape(const std::string &field);

}  // namespace concur::results
