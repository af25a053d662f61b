#include "results/csv.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>

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

}  // namespace

std::vector<std::string> csv_header() {
  return {"experiment",
          "strategy",
          "options",
          "repeat",
          "status",
          "pages_ok",
          "pages_failed",
          "requests",
          "retries",
          "hedged_requests",
          "cancelled_requests",
          "give_ups",
          "page_failures",
          "wall_s",
          "cpu_user_s",
          "cpu_sys_s",
          "max_rss_mb",
          "pages_per_s",
          "latency_p50_ms",
          "latency_p90_ms",
          "latency_p99_ms",
          "latency_max_ms",
          "lower_bound_s",
          "efficiency",
          "critical_path_s",
          "cpu_bound_s",
          "bound_basis",
          "solves",
          "solve_s",
          "connections",
          "server_requests",
          "server_errors",
          "metrics",
          "seed",
          "base_url",
          "start",
          "max_pages",
          "retry_limit",
          "fetch_policy",
          "timeout_ms",
          "puzzle",
          "concur_version",
          "workload",
          "gil",
          "cores",
          "nproc",
          "peak_parallel",
          "speedup",
          "parallel_efficiency",
          "script",
          "error"};
}

std::vector<std::string> csv_fields(const RunResult &r) {
  return {r.experiment,
          r.strategy,
          r.options,
          std::to_string(r.repeat),
          status_name(r.status),
          std::to_string(r.pages_ok),
          std::to_string(r.pages_failed),
          std::to_string(r.requests),
          std::to_string(r.retries_used),
          std::to_string(r.hedged_requests),
          std::to_string(r.cancelled_requests),
          std::to_string(r.give_ups),
          describe_failures(r.page_failures),
          fixed(r.wall_s, 6),
          fixed(r.cpu_user_s, 6),
          fixed(r.cpu_sys_s, 6),
          fixed(r.max_rss_mb, 1),
          fixed(r.pages_per_s(), 3),
          fixed(r.latency_ms.p50, 3),
          fixed(r.latency_ms.p90, 3),
          fixed(r.latency_ms.p99, 3),
          fixed(r.latency_ms.max, 3),
          fixed(r.lower_bound_s(), 6),
          fixed(r.efficiency(), 4),
          fixed(r.critical_path_s, 6),
          fixed(r.cpu_bound_s, 6),
          r.bound_basis,
          std::to_string(r.solves),
          fixed(r.solve_s, 6),
          std::to_string(r.connections),
          r.server_requests < 0 ? "" : std::to_string(r.server_requests),
          r.server_errors < 0 ? "" : std::to_string(r.server_errors),
          join_metrics(r.metrics),
          std::to_string(r.seed),
          r.base_url,
          r.start,
          std::to_string(r.max_pages),
          std::to_string(r.retries),
          r.fetch_policy,
          std::to_string(r.timeout_ms),
          r.puzzle,
          CONCUR_VERSION,
          r.workload,
          r.gil,
          std::to_string(r.cores),
          std::to_string(r.nproc),
          std::to_string(r.peak_parallel),
          r.speedup < 0 ? "" : fixed(r.speedup, 4),
          r.parallel_efficiency < 0 ? "" : fixed(r.parallel_efficiency, 4),
          r.script,
          r.error};
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
