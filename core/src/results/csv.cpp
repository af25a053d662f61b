#include "results/csv.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "results/fingerprint.hpp"

namespace concur::results {
namespace {

std::string fixed(double v, int digits) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(digits);
  s << v;
  return s.str();
}

std::string join_metrics(const std::map<std::string, double> &metrics) {
  std::string out;
  for (const auto &[name, value] : metrics) {
    if (!out.empty()) out += ' ';
    out += name + "=" + fixed(value, 6);
  }
  return out;
}

// A latency percentile; blank for a compute run, which makes no requests, and
// for a run that got no answer.
std::string latency(const RunResult &r, double ms) {
  return r.is_compute() || r.latency_ms.samples == 0 ? std::string() : fixed(ms, 3);
}

std::string unless_negative(long v) {
  return v < 0 ? std::string() : std::to_string(v);
}

std::string unless_negative(double v, int digits) {
  return v < 0 ? std::string() : fixed(v, digits);
}

// The runs CSV, column by column: each column's name beside the one
// function that formats it, so the header and the fields cannot drift apart.
// Names, order and formats are a contract (the report, summaries and users'
// scripts read them): tests/unit/results/csv_test.cpp holds the header to
// tests/fixtures/runs_header.csv.
struct Column {
  const char *name;
  std::string (*format)(const RunResult &r);
};

const Column kColumns[] = {
    {"experiment", [](const RunResult &r) { return r.experiment; }},
    {"strategy", [](const RunResult &r) { return r.strategy; }},
    {"options", [](const RunResult &r) { return r.options; }},
    {"repeat", [](const RunResult &r) { return std::to_string(r.repeat); }},
    {"position",
     [](const RunResult &r) { return r.position > 0 ? std::to_string(r.position) : ""; }},
    {"status", [](const RunResult &r) { return std::string(status_name(r.status)); }},
    {"validity", [](const RunResult &r) { return r.validity_text(); }},
    {"coverage",
     [](const RunResult &r) { return r.coverage < 0 ? std::string() : fixed(r.coverage, 4); }},
    {"connect_failures", [](const RunResult &r) { return std::to_string(r.connect_failures); }},
    {"pages_ok", [](const RunResult &r) { return std::to_string(r.pages_ok); }},
    {"pages_failed", [](const RunResult &r) { return std::to_string(r.pages_failed); }},
    {"requests", [](const RunResult &r) { return std::to_string(r.requests); }},
    {"retries", [](const RunResult &r) { return std::to_string(r.retries_used); }},
    {"hedged_requests", [](const RunResult &r) { return std::to_string(r.hedged_requests); }},
    {"cancelled_requests", [](const RunResult &r) { return std::to_string(r.cancelled_requests); }},
    {"give_ups", [](const RunResult &r) { return std::to_string(r.give_ups); }},
    {"page_failures", [](const RunResult &r) { return describe_failures(r.page_failures); }},
    {"wall_s", [](const RunResult &r) { return fixed(r.wall_s, 6); }},
    {"cpu_user_s", [](const RunResult &r) { return fixed(r.cpu_user_s, 6); }},
    {"cpu_sys_s", [](const RunResult &r) { return fixed(r.cpu_sys_s, 6); }},
    {"max_rss_mb", [](const RunResult &r) { return fixed(r.max_rss_mb, 1); }},
    {"pages_per_s", [](const RunResult &r) { return fixed(r.pages_per_s(), 3); }},
    {"latency_p50_ms", [](const RunResult &r) { return latency(r, r.latency_ms.p50); }},
    {"latency_p90_ms", [](const RunResult &r) { return latency(r, r.latency_ms.p90); }},
    {"latency_p99_ms", [](const RunResult &r) { return latency(r, r.latency_ms.p99); }},
    {"latency_max_ms", [](const RunResult &r) { return latency(r, r.latency_ms.max); }},
    {"lower_bound_s", [](const RunResult &r) { return fixed(r.lower_bound_s(), 6); }},
    {"efficiency", [](const RunResult &r) { return fixed(r.efficiency(), 4); }},
    {"critical_path_s", [](const RunResult &r) { return fixed(r.critical_path_s, 6); }},
    {"cpu_bound_s", [](const RunResult &r) { return fixed(r.cpu_bound_s, 6); }},
    {"bound_basis", [](const RunResult &r) { return r.bound_basis; }},
    {"solves", [](const RunResult &r) { return std::to_string(r.solves); }},
    {"solve_s", [](const RunResult &r) { return fixed(r.solve_s, 6); }},
    {"connections", [](const RunResult &r) { return std::to_string(r.connections); }},
    {"server_requests", [](const RunResult &r) { return unless_negative(r.server_requests); }},
    {"server_errors", [](const RunResult &r) { return unless_negative(r.server_errors); }},
    {"metrics", [](const RunResult &r) { return join_metrics(r.metrics); }},
    {"seed", [](const RunResult &r) { return std::to_string(r.seed); }},
    {"base_url", [](const RunResult &r) { return r.base_url; }},
    {"start", [](const RunResult &r) { return crawl_only(r, r.start); }},
    {"max_pages", [](const RunResult &r) { return crawl_only(r, std::to_string(r.max_pages)); }},
    {"retry_limit", [](const RunResult &r) { return crawl_only(r, std::to_string(r.retries)); }},
    {"fetch_policy", [](const RunResult &r) { return r.fetch_policy; }},
    {"timeout_ms", [](const RunResult &r) { return crawl_only(r, std::to_string(r.timeout_ms)); }},
    {"puzzle", [](const RunResult &r) { return r.puzzle; }},
    {"concur_version", [](const RunResult &) { return std::string(CONCUR_VERSION); }},
    {"build", [](const RunResult &r) { return r.machine.build; }},
    {"cpu_model", [](const RunResult &r) { return r.machine.cpu_model; }},
    {"governor", [](const RunResult &r) { return r.machine.governor; }},
    {"kernel", [](const RunResult &r) { return r.machine.kernel; }},
    {"load_start", [](const RunResult &r) { return unless_negative(r.load_start, 2); }},
    {"load_end", [](const RunResult &r) { return unless_negative(r.load_end, 2); }},
    {"foreign_cpu_s", [](const RunResult &r) { return unless_negative(r.foreign_cpu_s, 3); }},
    {"noisy",
     [](const RunResult &r) {
       if (r.foreign_cpu_s < 0) return std::string();
       return std::string(is_noisy(r.foreign_cpu_s, r.wall_s, r.cores) ? "true" : "false");
     }},
    {"workload", [](const RunResult &r) { return r.workload; }},
    {"gil", [](const RunResult &r) { return r.gil; }},
    {"cores", [](const RunResult &r) { return std::to_string(r.cores); }},
    {"nproc", [](const RunResult &r) { return std::to_string(r.nproc); }},
    {"peak_parallel", [](const RunResult &r) { return std::to_string(r.peak_parallel); }},
    {"baseline", [](const RunResult &r) { return r.baseline; }},
    {"speedup",
     [](const RunResult &r) { return r.speedup < 0 ? std::string() : fixed(r.speedup, 4); }},
    {"parallel_efficiency",
     [](const RunResult &r) {
       return r.parallel_efficiency < 0 ? std::string() : fixed(r.parallel_efficiency, 4);
     }},
    {"thresholds", [](const RunResult &r) { return r.thresholds; }},
    {"script", [](const RunResult &r) { return r.script; }},
    {"program", [](const RunResult &r) { return r.program; }},
    {"error", [](const RunResult &r) { return r.error; }},
};

}  // namespace

std::vector<std::string> csv_header() {
  std::vector<std::string> names;
  for (const Column &c : kColumns) names.emplace_back(c.name);
  return names;
}

std::vector<std::string> csv_fields(const RunResult &r) {
  std::vector<std::string> fields;
  for (const Column &c : kColumns) fields.push_back(c.format(r));
  return fields;
}

bool is_numeric_column(std::string_view name) {
  // Every column but these holds a number (or is blank where none applies).
  static constexpr std::string_view kText[] = {
      "experiment",  "strategy",       "options",  "status", "page_failures",
      "bound_basis", "metrics",        "base_url", "start",  "fetch_policy",
      "puzzle",      "concur_version", "workload", "gil",    "baseline",
      "thresholds",  "script",         "program",  "error",  "validity"};
  const auto header = csv_header();
  return std::find(header.begin(), header.end(), name) != header.end() &&
         std::find(std::begin(kText), std::end(kText), name) == std::end(kText);
}

std::map<std::string, double> numeric_fields(const RunResult &r) {
  std::map<std::string, double> values;
  const auto names = csv_header();
  const auto fields = csv_fields(r);
  for (size_t i = 0; i < names.size(); ++i) {
    if (fields[i].empty() || !is_numeric_column(names[i])) continue;
    values[names[i]] = std::strtod(fields[i].c_str(), nullptr);
  }
  return values;
}

std::string csv_escape(const std::string &field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

CsvWriter::CsvWriter(const std::string &path) : path_(path) {
  std::filesystem::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
}

CsvWriter::~CsvWriter() {
  try {
    if (!header_written_) write_header({});
  } catch (const std::exception &) {
    // Reported by the write that failed first; a destructor must not throw.
  }
  if (fd_ >= 0) ::close(fd_);
}

// One line, one write(2): whole or not at all. A short write (the disk is
// full) is cut back to the last whole line, then reported.
void CsvWriter::write_line(const std::vector<std::string> &fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + csv_escape(fields[i]);
  line += '\n';
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : ENOSPC;
      if (done > 0 && ::ftruncate(fd_, size_) == 0) ::lseek(fd_, size_, SEEK_SET);
      throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(error));
    }
    done += static_cast<size_t>(n);
  }
  size_ += static_cast<off_t>(line.size());
}

void CsvWriter::write_header(const std::vector<std::string> &extra) {
  std::vector<std::string> header = csv_header();
  header.insert(header.end(), extra.begin(), extra.end());
  write_line(header);
  extra_ = extra;
  header_written_ = true;
}

std::vector<std::string> CsvWriter::unknown_columns(const RunResult &run) const {
  std::vector<std::string> unknown;
  if (!header_written_) return unknown;
  for (const auto &[name, value] : run.extra_columns)
    if (std::find(extra_.begin(), extra_.end(), name) == extra_.end()) unknown.push_back(name);
  return unknown;
}

void CsvWriter::write(const RunResult &run) {
  if (!header_written_) {
    std::vector<std::string> extra;
    for (const auto &column : run.extra_columns) extra.push_back(column.first);
    write_header(extra);
  }
  std::vector<std::string> fields = csv_fields(run);
  for (const auto &name : extra_) {
    auto it = std::find_if(run.extra_columns.begin(), run.extra_columns.end(),
                           [&name](const auto &c) { return c.first == name; });
    fields.push_back(it == run.extra_columns.end() ? std::string() : it->second);
  }
  write_line(fields);
}

}  // namespace concur::results
