// The runs CSV: a header, then one row per run, each written whole with one
// write(2) as its run ends, so a crash (even SIGKILL) loses at most the run in
// flight and never leaves half a line. A write the disk cannot take is cut
// back to the last whole line and reported. A script's on_result hook may add
// columns after the standard ones: the first row fixes which (the header is
// written with it), later rows leave a column they lack empty.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "results/run_result.hpp"

namespace concur::results {

class CsvWriter {
 public:
  // Creates parent folders and truncates the file. Throws std::runtime_error
  // naming the path when it cannot be written.
  explicit CsvWriter(const std::string &path);
  ~CsvWriter();  // a file with no row still gets its header
  CsvWriter(const CsvWriter &) = delete;
  CsvWriter &operator=(const CsvWriter &) = delete;
  void write(const RunResult &run);
  // The run's extra columns that the header (fixed by the first row) lacks.
  std::vector<std::string> unknown_columns(const RunResult &run) const;
  const std::string &path() const { return path_; }

 private:
  void write_header(const std::vector<std::string> &extra);

  void write_line(const std::vector<std::string> &fields);

  std::string path_;
  int fd_ = -1;
  off_t size_ = 0;  // bytes of whole lines written so far
  bool header_written_ = false;
  std::vector<std::string> extra_;
};

std::vector<std::string> csv_header();
std::vector<std::string> csv_fields(const RunResult &run);
// A column of the header holding a number (blank where none applies), which
// a threshold may name.
bool is_numeric_column(std::string_view name);
// The run's numeric columns as the CSV writes them (blank ones left out):
// what thresholds check, so a threshold judges the figure a reader sees.
std::map<std::string, double> numeric_fields(const RunResult &run);
// Quotes a field when it holds a comma, a quote or a line break (RFC 4180).
std::string csv_escape(const std::string &field);

}  // namespace concur::results
