#include "report/csv_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace concur::report {
namespace {

// Splits `text` into records of fields; `lines[i]` is the line record i began on.
std::vector<std::vector<std::string>> records(std::string_view text, const std::string &source,
                                              std::vector<size_t> &lines) {
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, field_started = false;
  size_t line = 1, record_line = 1;
  auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_record = [&] {
    end_field();
    out.push_back(std::move(record));
    record.clear();
    lines.push_back(record_line);
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"' && !field_started && field.empty()) {
      quoted = field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_record();
      record_line = ++line;
    } else {
      if (c == '"')
        throw ReadError(source + ":" + std::to_string(line) + ": a quote inside an unquoted field");
      field += c;
      field_started = true;
    }
  }
  if (quoted) throw ReadError(source + ":" + std::to_string(record_line) + ": unterminated quote");
  if (field_started || !field.empty() || !record.empty()) end_record();  // no final line break
  return out;
}

}  // namespace

size_t CsvTable::column(const std::string &name) const {
  auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end())
    throw ReadError(source + ": no column '" + name + "' (is it a concur runs CSV?)");
  return static_cast<size_t>(it - header.begin());
}

CsvTable parse_csv(std::string_view text, const std::string &source) {
  std::vector<size_t> lines;
  auto all = records(text, source, lines);
  CsvTable table;
  table.source = source;
  if (all.empty()) throw ReadError(source + ": empty, not even a header");
  table.header = std::move(all.front());
  for (size_t r = 1; r < all.size(); ++r) {
    if (all[r].size() == 1 && all[r][0].empty()) continue;  // a blank line
    if (all[r].size() != table.header.size())
      throw ReadError(source + ":" + std::to_string(lines[r]) + ": " +
                      std::to_string(all[r].size()) + " fields, the header has " +
                      std::to_string(table.header.size()));
    table.rows.push_back(std::move(all[r]));
  }
  return table;
}

CsvTable read_csv(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ReadError(path + ": cannot read file: " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  return parse_csv(text.str(), path);
}

}  // namespace concur::report
