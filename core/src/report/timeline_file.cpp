#include "report/timeline_file.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <sstream>

namespace concur::report {
namespace {

constexpr std::array<const char *, 7> kColumns = {"run",      "lane",   "worker", "kind",
                                                  "start_us", "end_us", "count"};

class Row {
 public:
  Row(const CsvTable &t, size_t row, const std::array<size_t, 7> &at) : t_(t), row_(row), at_(at) {}

  // The column's whole text as an integer in [lo, hi].
  long long integer(size_t column, long long lo, long long hi) const {
    const std::string &cell = t_.rows[row_][at_[column]];
    long long v = 0;
    const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
    if (ec != std::errc() || end != cell.data() + cell.size() || cell.empty() || v < lo || v > hi)
      fail(std::string(kColumns[column]) + " '" + cell + "' is not a whole number from " +
           std::to_string(lo) + " to " + std::to_string(hi));
    return v;
  }
  const std::string &text(size_t column) const { return t_.rows[row_][at_[column]]; }
  [[noreturn]] void fail(const std::string &why) const {
    throw ReadError(t_.source + ": row " + std::to_string(row_ + 1) + ": " + why);
  }

 private:
  const CsvTable &t_;
  size_t row_;
  const std::array<size_t, 7> &at_;
};

bool span_kind(const std::string &name, results::SpanKind &kind) {
  for (auto k : {results::SpanKind::io, results::SpanKind::cpu, results::SpanKind::queued,
                 results::SpanKind::retry})
    if (name == results::span_kind_name(k)) {
      kind = k;
      return true;
    }
  return false;
}

// One line into its run: the run's own line, an `omitted` line or a span.
void add_line(const Row &row, TimelineFile &file) {
  const int run = static_cast<int>(row.integer(0, 1, 10'000'000));
  const int lane = static_cast<int>(row.integer(1, -1, kMaxTimelineLanes - 1));
  const int worker = static_cast<int>(row.integer(2, -1, 1'000'000'000));
  const long long start = row.integer(4, -kMaxTimelineUs, kMaxTimelineUs);
  const long long end = row.integer(5, start, kMaxTimelineUs);
  const long count = static_cast<long>(row.integer(6, 0, 1'000'000'000'000));
  const std::string &kind = row.text(3);
  TimelineRun &r = file.runs[run];
  if (kind == "run") {
    if (lane != -1) row.fail("a run line has lane -1");
    if (r.wall_us >= 0) row.fail("run " + std::to_string(run) + " has a second run line");
    if (count > kMaxTimelineLanes)
      row.fail("more than " + std::to_string(kMaxTimelineLanes) + " lanes");
    r.wall_us = end;
    r.lanes = std::max(r.lanes, static_cast<int>(count));
    return;
  }
  if (lane < 0) row.fail("lane -1 is for run lines only");
  if (kind == "omitted") {
    r.first_omitted = lane;
    r.omitted_events =
        static_cast<long>(std::min<long long>(r.omitted_events + count, kMaxTimelineUs));
    return;
  }
  results::SpanKind k;
  if (!span_kind(kind, k))
    row.fail("kind '" + kind + "' is not run, omitted, io, cpu, queued or retry");
  r.spans.push_back({worker, k, start, end, count, lane});
  r.lanes = std::max(r.lanes, lane + 1);
}

}  // namespace

TimelineFile parse_timeline(std::string_view text, const std::string &source) {
  const CsvTable table = parse_csv(text, source);
  std::array<size_t, 7> at{};
  for (size_t c = 0; c < kColumns.size(); ++c) {
    const auto it = std::find(table.header.begin(), table.header.end(), kColumns[c]);
    if (it == table.header.end())
      throw ReadError(source + ": no column '" + kColumns[c] + "' (is it a concur timeline?)");
    at[c] = static_cast<size_t>(it - table.header.begin());
  }
  TimelineFile file;
  for (size_t i = 0; i < table.rows.size(); ++i) add_line(Row(table, i, at), file);
  return file;
}

TimelineFile read_timeline(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ReadError(path + ": cannot read file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_timeline(text.str(), path);
}

}  // namespace concur::report
