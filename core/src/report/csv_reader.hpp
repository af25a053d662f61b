// Reads a CSV file (RFC 4180: quoted fields may hold commas, quotes doubled,
// line breaks) with a header row — what `concur report` reads. Every problem
// is a ReadError naming the file and line.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace concur::report {

class ReadError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as long as the header
  // The index of a column; throws ReadError naming `source` when absent.
  size_t column(const std::string &name) const;
  std::string source;
};

// `source` names the text in errors (a path).
CsvTable parse_csv(std::string_view text, const std::string &source);
CsvTable read_csv(const std::string &path);

}  // namespace concur::report
