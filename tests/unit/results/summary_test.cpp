// The terminal table: columns that line up, and words that fit the run.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "results/summary.hpp"

using namespace concur::results;

namespace {

RunResult crawl_run() {
  RunResult r;
  r.strategy = "threads";
  r.options = "workers=4";
  r.repeat = 1;
  r.pages_ok = 100;
  r.requests = 130;
  r.wall_s = 2;
  r.latency_ms.samples = 130;
  r.latency_ms.p50 = 12.5;
  r.latency_ms.p99 = 80.25;
  return r;
}

RunResult compute_run() {
  RunResult r = crawl_run();
  r.workload = "md5_chain x8 (2000000 iterations)";
  r.requests = 0;
  r.latency_ms = {};
  return r;
}

std::string header(bool compute) {
  std::ostringstream out;
  print_summary_header(out, 24, compute);
  return out.str();
}

std::string row(const RunResult &r) {
  std::ostringstream out;
  print_summary_row(out, r, 24);
  return out.str();
}

// Where a column of the header ends: a right-aligned value ends there too.
size_t end_of(const std::string &line, const std::string &title) {
  for (size_t at = line.find(" " + title); at != std::string::npos;
       at = line.find(" " + title, at + 1)) {
    const size_t end = at + 1 + title.size();
    if (end < line.size() && (line[end] == ' ' || line[end] == '\n')) return end;
  }
  FAIL("no column " << title);
  return 0;
}

// The character of `line` just before `end` and the one at it: a cell that
// ends at `end` has a non-blank then a blank.
bool cell_ends_at(const std::string &line, size_t end) {
  return end <= line.size() && end > 0 && line[end - 1] != ' ' &&
         (end == line.size() || line[end] == ' ' || line[end] == '\n');
}

}  // namespace

TEST_CASE("a crawl's table counts pages; a compute run's, tasks", "[results][summary]") {
  CHECK(header(false).find(" pages ") != std::string::npos);
  CHECK(header(false).find(" pages/s ") != std::string::npos);
  CHECK(header(true).find(" tasks ") != std::string::npos);
  CHECK(header(true).find(" tasks/s ") != std::string::npos);
  CHECK(header(true).find("pages") == std::string::npos);
}

TEST_CASE("a compute row leaves requests and latency blank, aligned", "[results][summary]") {
  const std::string head = header(true), crawl = row(crawl_run()), compute = row(compute_run());
  for (const std::string title : {"reqs", "p50_ms", "p99_ms"}) {
    INFO(title);
    CHECK(cell_ends_at(crawl, end_of(head, title)));
    CHECK(compute.substr(end_of(head, title) - 3, 3) == "   ");  // blank
  }
  for (const std::string title : {"tasks", "wall_s", "tasks/s", "rss_mb"}) {
    INFO(title);
    CHECK(cell_ends_at(compute, end_of(head, title)));
  }
  CHECK(compute.find("100") != std::string::npos);     // tasks done
  CHECK(compute.find(" 50.0 ") != std::string::npos);  // tasks/s
}

TEST_CASE("a failed row keeps its columns aligned and says so at its end", "[results][summary]") {
  RunResult failed = crawl_run();
  failed.fail("the server went away");
  const std::string head = header(false), line = row(failed);
  for (const std::string title : {"rep", "pages", "wall_s", "p99_ms", "rss_mb"}) {
    INFO(title);
    CHECK(cell_ends_at(line, end_of(head, title)));
  }
  CHECK(line.find("[FAILED]") == line.find('\n') - 8);
}
