#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "results/csv.hpp"

using namespace concur::results;

namespace {
std::string slurp(const std::string &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

TEST_CASE("fields are quoted only when they must be", "[results]") {
  CHECK(csv_escape("plain") == "plain");
  CHECK(csv_escape("a,b") == "\"a,b\"");
  CHECK(csv_escape("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_escape("two\nlines") == "\"two\nlines\"");
}

TEST_CASE("a row has one field per header column", "[results]") {
  RunResult r;
  r.metrics["queue_hwm"] = 3;
  CHECK(csv_fields(r).size() == csv_header().size());
}

// tests/fixtures/runs_row.csv was written by the CSV writer before the
// columns became one table: this row, byte for byte (every format: fixed
// digits, empty unknowns, a negative time, quoting, metrics and failures in
// name order, an on_result column).
TEST_CASE("the runs CSV's header and formats are what readers know", "[results]") {
  RunResult r;
  r.experiment = "fixture";
  r.strategy = "threads";
  r.options = "workers=4 lanes=false";
  r.repeat = 2;
  r.position = 7;
  r.seed = 42;
  r.base_url = "http://127.0.0.1:8080";
  r.start = "ab12";
  r.max_pages = 100;
  r.retries = 50;
  r.fetch_policy = "backoff=none retry_on=5xx+timeout+connection hedge=0 hedge_after_ms=0";
  r.timeout_ms = 10000;
  r.puzzle = "indexed/200000/50000/4";
  r.script = "scripts/count-types.lua";
  r.cores = 2;
  r.nproc = 2;
  r.peak_parallel = 3;
  r.machine = {"Intel(R) Xeon(R) CPU @ 2.20GHz", "", "Linux 6.1.0-18-amd64",
               "0.1.0 commit 1a2b3c4d5e6f; RelWithDebInfo; GCC 12.2.0"};
  r.load_start = 0.42;
  r.load_end = 1.0749;
  r.foreign_cpu_s = 0.75;  // 0.24 cores over 3.14 s: past a tenth of 2 cores, noisy
  r.baseline = "sequential";
  r.speedup = 1.98765;
  r.thresholds = "missed: efficiency >= 0.8 (0.7958)";
  r.fail("server http://127.0.0.1:8080 unreachable: \"refused\", twice");
  r.pages_ok = 97;
  r.pages_failed = 3;
  r.requests = 130;
  r.retries_used = 30;
  r.hedged_requests = 4;
  r.cancelled_requests = 2;
  r.give_ups = 3;
  r.connect_failures = 7;
  r.validity = {{"server_unreachable", "gone"}, {"incomplete (97/100)", "3 lost"}};
  r.coverage = 0.97;
  r.page_failures = {{"timeout", 1}, {"http_500", 2}};
  r.solves = 12;
  r.solve_s = 1.23456789;
  r.connections = 4;
  r.server_requests = 128;
  r.wall_s = 3.14159265;
  r.cpu_user_s = 0.5;
  r.cpu_sys_s = -0.022;
  r.max_rss_mb = 85.27;
  r.latency_ms = {10.0004, 20.5, 99.9996, 5000, 120};
  r.metrics = {{"queue_high_water", 17}, {"producer_blocked_s", 0.1234567}};
  r.critical_path_s = 2.5;
  r.cpu_bound_s = 0.75;
  r.bound_basis = "graph";
  r.extra_columns = {{"hook_pages", "97"}};
  auto dir = std::filesystem::temp_directory_path() / "concur-csv-fixture";
  std::filesystem::remove_all(dir);
  const std::string path = (dir / "runs.csv").string();
  {
    CsvWriter csv(path);
    csv.write(r);
  }
  CHECK(slurp(path) == slurp(CONCUR_SOURCE_DIR "/tests/fixtures/runs_row.csv"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("each row is on disk as soon as it is written", "[results]") {
  auto dir = std::filesystem::temp_directory_path() / "concur-csv-test";
  std::filesystem::remove_all(dir);
  const std::string path = (dir / "sub" / "runs.csv").string();
  CsvWriter csv(path);  // creates the folders
  RunResult r;
  r.experiment = "e";
  r.strategy = "sequential";
  r.options = "workers=4 mode=a,b";
  r.pages_ok = 7;
  csv.write(r);
  std::string text = slurp(path);  // the writer is still open: the row must be flushed
  CHECK(text.rfind("experiment,strategy,options,repeat,position,status,validity,coverage,", 0) == 0);
  CHECK(text.find("e,sequential,\"workers=4 mode=a,b\",0,,ok,ok,,0,7,") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a run that got no answer has empty latency columns, not zeros", "[results]") {
  RunResult r;  // a crawl whose every attempt was refused
  r.connect_failures = 9;
  const std::vector<std::string> names = csv_header(), fields = csv_fields(r);
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i].rfind("latency_", 0) == 0) CHECK(fields[i].empty());
}

TEST_CASE("an unwritable path is refused with its name", "[results]") {
  CHECK_THROWS_WITH(CsvWriter("/proc/concur/runs.csv"), Catch::Contains("/proc/concur/runs.csv"));
}

TEST_CASE("a compute row's latency columns are empty in the runs CSV", "[results]") {
  RunResult crawl_run, compute_run;
  crawl_run.latency_ms.p50 = 12.5;
  crawl_run.latency_ms.samples = 1;
  compute_run.workload = "md5_chain x8 (2000000 iterations)";
  const std::vector<std::string> names = csv_header(), crawl = csv_fields(crawl_run),
                                 compute = csv_fields(compute_run);
  REQUIRE(compute.size() == names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].rfind("latency_", 0) != 0) continue;
    INFO(names[i]);
    CHECK(compute[i].empty());
    CHECK_FALSE(crawl[i].empty());
  }
}
