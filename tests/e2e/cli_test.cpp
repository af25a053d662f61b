// The `concur` binary as a user meets it: exit codes, one-line errors naming
// file, line and key, and a CSV with one row per run.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/cli.hpp"

namespace fs = std::filesystem;
using concur::test::column;
using concur::test::Outcome;
using concur::test::Sandbox;
using concur::test::slurp;

namespace {

// A lab small and fast enough for a test: about a second of crawling.
const char *kTinyLab = R"(name: tiny
server:
  seed: 7
  pages: 60
  extra_edges: 100
  delay_scale: 0.002
  cpu_iterations: 200
  core_iterations: 50
crawl:
  max_pages: 0
strategies:
  - plugin: sequential
repeat: 2
)";

size_t lines(const std::string &text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

namespace {

long sum_of(const std::vector<std::string> &values) {
  long total = 0;
  for (const auto &v : values) total += std::stol(v);
  return total;
}

// Slices ("ph": "X") that begin before the previous one on their (pid, tid)
// ends, in the trace's own integer µs: Perfetto moves or drops them.
long overlapping_slices(const nlohmann::json &trace) {
  std::map<std::pair<int, int>, std::vector<std::pair<long long, long long>>> lanes;
  for (const auto &e : trace)
    if (e["ph"] == "X")
      lanes[{e["pid"].get<int>(), e["tid"].get<int>()}].push_back({e["ts"], e["dur"]});
  long overlapping = 0;
  for (auto &[lane, slices] : lanes) {
    std::sort(slices.begin(), slices.end());
    for (size_t i = 1; i < slices.size(); ++i) {
      const long long previous_end = slices[i - 1].first + slices[i - 1].second;
      if (previous_end > slices[i].first) {
        UNSCOPED_INFO("lane " << lane.first << "/" << lane.second << ": a slice at "
                              << slices[i].first << " µs begins before " << previous_end);
        ++overlapping;
      }
    }
  }
  return overlapping;
}

}  // namespace

TEST_CASE("concur run writes one CSV row per run and a summary", "[e2e][cli]") {
  Sandbox box;
  auto config = box.write("tiny.yaml", kTinyLab);
  auto r = box.concur("run " + config.string() + " --out " + box.path("runs.csv").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string csv = slurp(box.path("runs.csv"));
  CHECK(lines(csv) == 3);  // header + 2 repeats
  CHECK(csv.find("tiny,sequential,,1,1,ok,") != std::string::npos);
  CHECK(r.out.find("sequential") != std::string::npos);
  CHECK(r.out.find("pages/s") != std::string::npos);
  // The embedded server offers /api/cheat/: a whole-graph crawl is bounded
  // over the whole graph.
  CHECK(csv.find(",graph,") != std::string::npos);
  CHECK(csv.find(",discovered,") == std::string::npos);
  CHECK_THAT(r.err, Catch::Contains("/api/cheat/ gives the whole graph (60 pages)"));
  // The header readers depend on, as a real run writes it: names and order
  // byte for byte (tests/fixtures/runs_header.csv, written by an earlier
  // concur from this same config).
  CHECK(csv.substr(0, csv.find('\n') + 1) ==
        slurp(CONCUR_SOURCE_DIR "/tests/fixtures/runs_header.csv"));
  // Repeated: the summary over repeats ends the table.
  CHECK_THAT(r.out, Catch::Contains("Summary over repeats") && Catch::Contains("  sequential  ") &&
                        Catch::Contains(" s ["));
}

TEST_CASE("speedup is over each configuration's baseline, named in every row",
          "[e2e][cli][analysis]") {
  Sandbox box;
  auto config = box.write("tiny.yaml", kTinyLab);
  const std::string sweep = " --set 'strategies=[{plugin: threads, workers: [1, 4]}]'";
  auto r =
      box.concur("run -q " + config.string() + sweep + " --out " + box.path("runs.csv").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.empty());  // --quiet: neither the table nor the summary
  const std::string csv = slurp(box.path("runs.csv"));
  const auto baseline = column(csv, "baseline"), speedup = column(csv, "speedup");
  REQUIRE(baseline.size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    CHECK(baseline[i] == "threads workers=1 lanes=false");
    CHECK_FALSE(speedup[i].empty());  // workers=1 ran first in each repeat
  }
  const std::string summary = slurp(box.path("runs.summary.csv"));
  CHECK(column(summary, "baseline") ==
        std::vector<std::string>{"threads workers=1 lanes=false", "threads workers=1 lanes=false"});
  CHECK(column(summary, "label") ==
        std::vector<std::string>{"threads workers=1", "threads workers=4"});

  // The config's baseline: must name a planned configuration.
  r = box.concur("run -n " + config.string() + sweep + " --set 'baseline=threads workers=4'");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("threads workers=1 lanes=false  (speedup over threads "
                                    "workers=4 lanes=false)"));
  // The strategies' own shape says the same.
  r = box.concur("run -n " + config.string() + sweep +
                 " --set 'baseline={plugin: threads, workers: 4}'");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("(speedup over threads workers=4 lanes=false)"));
  r = box.concur("run -n " + config.string() + sweep + " --set 'baseline={workers: 4}'");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("baseline: expected {plugin: NAME"));
  r = box.concur("run -n " + config.string() + sweep + " --set 'baseline=threads workers=3'");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--set: baseline: 'threads workers=3' matches none"));
}

TEST_CASE("a run where pages gave up is bounded over what it discovered", "[e2e][cli]") {
  Sandbox box;
  auto config = box.write("tiny.yaml", kTinyLab);
  // No retries: failure pages give up (seed 7's graph has several), and the
  // subtrees behind them are never crawled, so they cannot count in the bound.
  auto r = box.concur("run " + config.string() + " --set crawl.retries=0 --set repeat=1 --out " +
                      box.path("runs.csv").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string csv = slurp(box.path("runs.csv"));
  REQUIRE(std::stol(column(csv, "pages_failed").at(0)) > 0);
  CHECK(column(csv, "bound_basis").at(0) == "discovered");
  CHECK(std::stod(column(csv, "efficiency").at(0)) <= 1.0);
}

TEST_CASE("with max_pages the bound covers what the run discovered", "[e2e][cli]") {
  Sandbox box;
  auto config = box.write("tiny.yaml", kTinyLab);
  auto r = box.concur("run " + config.string() + " --set crawl.max_pages=20 --set repeat=1 --out " +
                      box.path("runs.csv").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string csv = slurp(box.path("runs.csv"));
  CHECK(csv.find(",discovered,") != std::string::npos);
  CHECK(csv.find(",graph,") == std::string::npos);
}

TEST_CASE("CPU columns are never negative: the embedded server's thread is taken out exactly",
          "[e2e][cli][results]") {
  // Small runs with many requests: the server's share of the process's CPU is
  // large, and the kernel's user/sys split of it is a coarse estimate.
  // Subtracting the server's split from the process's made about one row in
  // eight negative here.
  Sandbox box;
  auto config = box.write("busy.yaml", R"(name: busy
server: {seed: 7, pages: 120, extra_edges: 150, delay_scale: 0.001, cpu_iterations: 200,
         core_iterations: 50}
strategies:
  - plugin: sequential
  - {plugin: threads, workers: 4}
repeat: 12
)");
  auto r = box.concur("run -q " + config.string() + " --out " + box.path("runs.csv").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string csv = slurp(box.path("runs.csv"));
  const auto user = column(csv, "cpu_user_s"), sys = column(csv, "cpu_sys_s");
  REQUIRE(user.size() == 24);
  for (size_t i = 0; i < user.size(); ++i) {
    INFO("row " << i + 1 << ": cpu_user_s " << user[i] << ", cpu_sys_s " << sys[i]);
    CHECK(std::stod(user[i]) >= 0);
    CHECK(std::stod(sys[i]) >= 0);
    CHECK(std::stod(user[i]) + std::stod(sys[i]) > 0);
  }
}

TEST_CASE("config errors exit 2 with one line naming file, line and key", "[e2e][cli]") {
  Sandbox box;
  SECTION("a misspelled key") {
    auto f = box.write("typo.yaml",
                       "name: x\ncrawl:\n  max_pagse: 5\nstrategies:\n  - plugin: sequential\n");
    auto r = box.concur("run " + f.string());
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(f.string() + ":3: crawl.max_pagse: unknown key"));
    CHECK(lines(r.err) == 1);
  }
  SECTION("a wrong type") {
    auto f = box.write("type.yaml", "strategies:\n  - plugin: sequential\nrepeat: often\n");
    auto r = box.concur("run " + f.string());
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(f.string() + ":3: repeat:"));
    CHECK(lines(r.err) == 1);
  }
  SECTION("a missing file") {
    auto r = box.concur("run " + box.path("nowhere.yaml").string());
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("nowhere.yaml") && Catch::Contains("No such file"));
    CHECK(lines(r.err) == 1);
  }
  SECTION("an unknown plugin") {
    auto f =
        box.write("plugin.yaml", "strategies:\n  - plugin: sequential\n  - plugin: warp_drive\n");
    auto r = box.concur("run " + f.string());
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(f.string() + ":3: strategies[1].plugin: unknown plugin "
                                                   "'warp_drive'"));
    CHECK(lines(r.err) == 1);
  }
  SECTION("an option the plugin does not declare") {
    auto f = box.write("opt.yaml", "strategies:\n  - plugin: sequential\n    workers: 4\n");
    auto r = box.concur("run " + f.string());
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(":3: strategies[0].workers: unknown option"));
  }
}

TEST_CASE("usage errors exit 2; --help and --version exit 0", "[e2e][cli]") {
  Sandbox box;
  CHECK(box.concur("").exit_code == 2);
  CHECK(box.concur("run").exit_code == 2);
  auto unknown = box.concur("--plugin-path /tmp frobnicate");
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("unknown command 'frobnicate' (commands: run, serve"));
  CHECK_THAT(box.concur("").err, Catch::Contains("a command is required (run, serve"));
  // A bound is said in a few words, not as DBL_MAX written out.
  auto negative = box.concur("serve --delay-scale -1");
  CHECK(negative.exit_code == 2);
  CHECK_THAT(negative.err, Catch::Contains("--delay-scale: expected a number >= 0, got '-1'"));
  CHECK(negative.err.size() < 200);
  CHECK_THAT(box.concur("run x.yaml --progress-interval 0").err,
             Catch::Contains("expected a number > 0, got '0'"));
  auto help = box.concur("run --help");
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("--set"));
  auto version = box.concur("--version");
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::Contains("concur 0."));
}

TEST_CASE("serve --shares takes TYPE=SHARE, the rest at their defaults, summing to 1",
          "[e2e][cli]") {
  Sandbox box;
  const auto unknown = box.concur("serve --port 0 --shares fast=1");
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("expected TYPE=SHARE") && Catch::Contains("'fast=1'"));
  const auto no_number = box.concur("serve --port 0 --shares regular=most");
  CHECK(no_number.exit_code == 2);
  CHECK_THAT(no_number.err, Catch::Contains("'regular=most'"));
  const auto too_much = box.concur("serve --port 0 --shares regular=0.7");  // + 4 x 0.1
  CHECK(too_much.exit_code == 2);
  CHECK_THAT(too_much.err, Catch::Contains("shares must sum to 1"));
}

TEST_CASE("concur plugins lists sequential", "[e2e][cli]") {
  Sandbox box;
  auto r = box.concur("plugins");
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("sequential") && Catch::Contains("ABI 1") &&
                        Catch::Contains("(from build tree)"));
  CHECK(box.concur("plugins --describe nothing_like_it").exit_code == 2);
}

TEST_CASE("--plugin-path is searched first, and says so", "[e2e][cli]") {
  Sandbox box;
  auto r = box.concur("--plugin-path " CONCUR_FIXTURE_DIR " plugins --describe fixture");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("(from --plugin-path)"));
  // The fixtures folder also holds plugins the loader refuses: named, not fatal.
  CHECK_THAT(r.err, Catch::Contains("refused"));
}

TEST_CASE("--plugin-path takes one folder, before or after the command", "[e2e][cli]") {
  Sandbox box;
  auto config = box.write("f.yaml", "strategies:\n  - plugin: fixture\n");
  for (const std::string &args :
       {"run --plugin-path " CONCUR_FIXTURE_DIR " " + config.string() + " --dry-run",
        "run " + config.string() + " --plugin-path " CONCUR_FIXTURE_DIR " --dry-run",
        "--plugin-path " + box.path("").string() + " run --plugin-path " CONCUR_FIXTURE_DIR " " +
            config.string() + " -n"}) {
    auto r = box.concur(args);
    INFO(args << "\n" << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("valid. 1 configuration(s)"));
  }
  // A folder that does not exist is a usage error naming it, before or after the command.
  for (const std::string &args :
       {std::string("--plugin-path /nonexistent-plugins plugins"),
        "run " + config.string() + " --plugin-path /nonexistent-plugins"}) {
    auto r = box.concur(args);
    INFO(args);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--plugin-path") && Catch::Contains("/nonexistent-plugins"));
  }
}

TEST_CASE("a refused plugin is named with the loader's reason, never skipped", "[e2e][cli]") {
  Sandbox box;
  // A broken threads.so first in the path: an error, not the build tree's threads.
  fs::create_directories(box.path("plugins"));
  fs::copy_file(CONCUR_FIXTURE_DIR "/fixture_wrong_version.so", box.path("plugins/threads.so"));
  auto config = box.write("t.yaml", "strategies:\n  - plugin: threads\n");
  auto r = box.concur("run " + config.string() + " --plugin-path " + box.path("plugins").string() +
                      " --dry-run");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("plugin 'threads' refused: ") &&
                        Catch::Contains(box.path("plugins/threads.so").string()) &&
                        Catch::Contains("ABI"));
  // A name no plugin has, with refused files about: they are pointed to.
  auto other = box.write("o.yaml", "strategies:\n  - plugin: nothing_like_it\n");
  r = box.concur("run " + other.string() + " --plugin-path " + box.path("plugins").string() +
                 " --dry-run");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("unknown plugin 'nothing_like_it'") &&
                        Catch::Contains("1 file(s) refused, `concur plugins` says why"));
}

TEST_CASE("new-plugin refuses bad names and never overwrites", "[e2e][cli]") {
  Sandbox box;
  auto r = box.concur("new-plugin My-Strategy --dir " + box.path("x").string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("not a plugin name"));
  r = box.concur("new-plugin mine --dir " + box.path("mine").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::exists(box.path("mine") / "mine.c"));
  CHECK_THAT(slurp(box.path("mine") / "mine.c"),
             Catch::Contains("\"mine\", /* what configs write") && !Catch::Contains("template\""));
  // Its own description, not the template's ("copy it with concur new-plugin").
  CHECK_THAT(slurp(box.path("mine") / "mine.c"),
             Catch::Contains(".description = \"mine: say here") &&
                 !Catch::Contains("copy it with concur new-plugin"));
  CHECK_THAT(slurp(box.path("mine") / "CMakeLists.txt"),
             Catch::Contains("concur_add_plugin(NAME mine SOURCES mine.c)"));
  CHECK_THAT(r.out, Catch::Contains("-Dconcur_DIR=" CONCUR_BUILD_DIR));  // run from the build tree
  // Each printed line runs as printed: concur is named as it can be called from here.
  CHECK_THAT(r.out, Catch::Contains("\n  " CONCUR_BUILD_DIR "/concur --plugin-path "));
  r = box.concur("new-plugin in_tree --dir " + box.path("in_tree").string(), CONCUR_BUILD_DIR);
  CHECK_THAT(r.out, Catch::Contains("\n  ./concur --plugin-path "));
  r = box.concur("new-plugin on_path --dir " + box.path("on_path").string(), {},
                 "PATH=" CONCUR_BUILD_DIR ":/usr/bin:/bin");
  CHECK_THAT(r.out, Catch::Contains("\n  concur --plugin-path "));
  r = box.concur("new-plugin mine --dir " + box.path("mine").string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("exists; not overwriting it"));
}

TEST_CASE("concur solve prints the chain result", "[e2e][cli]") {
  Sandbox box;
  auto r = box.concur("solve abc --iterations 1000");
  CHECK(r.exit_code == 0);
  CHECK(r.out == "c423e7d0d6081f837a4b4bc82551d122\n");
}

TEST_CASE("every shipped config is valid: --dry-run checks it without running", "[e2e][cli]") {
  Sandbox box;
  int checked = 0;
  for (const auto &entry : fs::directory_iterator(CONCUR_SOURCE_DIR "/configs")) {
    if (entry.path().extension() != ".yaml") continue;
    // From the repository's root, as the README runs them: `script:` paths
    // are relative to the working directory.
    auto r = box.concur("run --dry-run " + entry.path().string(), CONCUR_SOURCE_DIR);
    INFO(entry.path() << "\n" << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains(": valid. ") && (Catch::Contains("fetch policy: backoff=") ||
                                                       Catch::Contains("of a compute experiment")));
    ++checked;
  }
  CHECK(checked >= 4);
}

TEST_CASE("--dry-run lists the runs and refuses what a run would refuse", "[e2e][cli]") {
  Sandbox box;
  auto config = box.write("tiny.yaml", kTinyLab);
  auto r = box.concur("run -n " + config.string() + " --set crawl.hedge=4");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("1 configuration(s) x 2 repeat(s)") &&
                        Catch::Contains("hedge=4") && Catch::Contains("  sequential"));
  CHECK_FALSE(fs::exists(box.path("runs.csv")));
  auto bad = box.write("bad.yaml", "strategies:\n  - plugin: sequential\n  - plugin: nope\n");
  r = box.concur("run --dry-run " + bad.string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("bad.yaml:3: strategies[1].plugin"));
}

TEST_CASE("SIGKILL mid-experiment leaves every finished row, and no half line",
          "[e2e][cli][results]") {
  Sandbox box;
  // Many short runs: the kill lands between or inside runs, never after the last.
  auto config = box.write("long.yaml", std::string(kTinyLab) + "warmup: 0\n");
  const std::string runs = box.path("runs.csv").string();
  const std::string summary = box.path("runs.summary.csv").string();
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const std::string binary = std::string(CONCUR_BUILD_DIR) + "/concur";
    ::freopen("/dev/null", "w", stdout);
    ::freopen("/dev/null", "w", stderr);
    ::execl(binary.c_str(), binary.c_str(), "run", "-q", config.c_str(), "--set", "repeat=200",
            "--out", runs.c_str(), static_cast<char *>(nullptr));
    ::_exit(127);
  }
  // Kill once at least three rows are out (a condition, polled; the whole
  // experiment takes far longer than that).
  auto rows_written = [&] { return fs::exists(runs) ? lines(slurp(runs)) : 0; };
  int status = 0;
  while (rows_written() < 4 && ::waitpid(pid, &status, WNOHANG) == 0) ::usleep(1000);
  REQUIRE(::kill(pid, SIGKILL) == 0);
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFSIGNALED(status));  // it was still running: the kill was mid-experiment

  for (const std::string &path : {runs, summary}) {
    INFO(path);
    const std::string text = slurp(path);
    REQUIRE_FALSE(text.empty());
    CHECK(text.back() == '\n');  // no half line
    std::istringstream in(text);
    std::string header, line;
    std::getline(in, header);
    const auto columns = std::count(header.begin(), header.end(), ',');
    size_t rows = 0;
    while (std::getline(in, line)) {
      CHECK(std::count(line.begin(), line.end(), ',') == columns);
      ++rows;
    }
    CHECK(rows >= 1);
  }
  CHECK(lines(slurp(runs)) >= 4);  // header + every row finished before the kill
}

TEST_CASE("--trace and --requests account for every request of every run", "[e2e][cli][results]") {
  Sandbox box;
  auto config = box.write("tiny.yaml", kTinyLab);
  const auto trace_path = box.path("t.json"), requests_path = box.path("r.csv");
  auto r = box.concur("run -q " + config.string() + " --set crawl.hedge=3 --out " +
                      box.path("runs.csv").string() + " --trace " + trace_path.string() +
                      " --requests " + requests_path.string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string runs = slurp(box.path("runs.csv"));
  const long requests = sum_of(column(runs, "requests")), solves = sum_of(column(runs, "solves"));
  REQUIRE(requests > 0);

  const auto trace = nlohmann::json::parse(slurp(trace_path));  // throws if not JSON
  REQUIRE(trace.is_array());
  long processes = 0, fetches = 0, solved = 0;
  for (const auto &e : trace) {
    if (e["ph"] == "M" && e["name"] == "process_name") ++processes;
    if (e["ph"] != "X") continue;
    const std::string name = e["name"];
    fetches += name == "fetch" || name == "cancelled";
    solved += name == "solve";
    CHECK(e["dur"].get<long long>() >= 0);
  }
  CHECK(processes == 2);  // one per run (repeat: 2)
  CHECK(fetches == requests);
  CHECK(solved == solves);
  CHECK(overlapping_slices(trace) == 0);

  const std::string log = slurp(requests_path);
  CHECK(static_cast<long>(lines(log)) == requests + 1);
  const auto statuses = column(log, "status"), types = column(log, "page_type"),
             attempts = column(log, "attempt");
  for (size_t i = 0; i < statuses.size(); ++i) {
    CHECK(std::stoi(attempts[i]) >= 1);
    if (statuses[i] == "200") CHECK_FALSE(types[i].empty());
  }
  CHECK(std::count(statuses.begin(), statuses.end(), "500") > 0);  // failure pages were met
}

TEST_CASE("trace slices never overlap on their lane, to the microsecond", "[e2e][cli][results]") {
  // Enough requests, hedged copies and lanes (threads, a loop's requests in
  // flight) that rounding a slice's start and duration apart made ~1.5% of
  // the slices overlap the previous one by 1 µs.
  Sandbox box;
  auto config = box.write("lanes.yaml", R"(name: lanes
server: {seed: 7, pages: 200, extra_edges: 300, delay_scale: 0.002, cpu_iterations: 200,
         core_iterations: 50}
crawl: {hedge: 3}
strategies:
  - plugin: sequential
  - {plugin: threads, workers: 4}
  - {plugin: async, concurrency: 16}
)");
  const auto trace_path = box.path("t.json");
  auto r = box.concur("run -q " + config.string() + " --out " + box.path("runs.csv").string() +
                      " --trace " + trace_path.string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto trace = nlohmann::json::parse(slurp(trace_path));
  REQUIRE(trace.size() > 1000);
  CHECK(overlapping_slices(trace) == 0);
}

TEST_CASE("concur report refuses what is not a runs CSV, naming file and line", "[e2e][cli]") {
  Sandbox box;
  auto missing = box.write("missing.csv", "experiment,strategy\nx,sequential\n");
  auto r = box.concur("report " + missing.string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("missing.csv: no column"));
  auto ragged = box.write("ragged.csv", "a,b\n1,2\n3\n");
  r = box.concur("report " + ragged.string() + " -o " + box.path("x.html").string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("ragged.csv:3: 1 fields, the header has 2"));
  r = box.concur("report " + box.path("nothing-here.csv").string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("cannot read file: No such file or directory"));
  // An experiment given where its results belong says what to run.
  auto config = box.write("mine.yaml", "thresholds:\n  efficiency: \">= 0.8\"\n");
  r = box.concur("report " + config.string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("mine.yaml: an experiment, not its results: `concur run "));
  CHECK(box.concur("compare " + config.string() + " " + config.string()).exit_code == 2);
}

TEST_CASE("progress: a line as each run starts, with an ETA once one has ended; --quiet: none",
          "[e2e][cli]") {
  Sandbox box;
  auto config = box.write("tiny.yaml", kTinyLab);
  auto r = box.concur("run " + config.string() + " --out " + box.path("runs.csv").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // A log's start line says the run started, not "0 pages, 0 pages/s, 0 failed".
  CHECK_THAT(r.err, Catch::Contains("concur: run 1/2 sequential: started\n") &&
                        Catch::Contains("concur: run 2/2 sequential: started, ETA "));
  CHECK(r.err.find(" 0 pages, 0 pages/s") == std::string::npos);
  CHECK(r.err.find("\r") == std::string::npos);  // not a terminal: plain lines
  r = box.concur("run -q " + config.string() + " --out " + box.path("runs.csv").string());
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("concur: run ") == std::string::npos);
  r = box.concur("run " + config.string() + " --progress-interval 0");
  CHECK(r.exit_code == 2);
}

TEST_CASE("concur compare: same seed is the same, a slower variant is slower, few repeats say so",
          "[e2e][cli][compare]") {
  Sandbox box;
  // Sleeps dominate its wall time, so two runs of it differ by noise only.
  auto config = box.write("cmp.yaml", R"(name: cmp
server: {seed: 7, pages: 60, extra_edges: 100, delay_scale: 0.01, failure_rate: 0,
         cpu_iterations: 200, core_iterations: 50}
strategies:
  - plugin: threads
    workers: [8]
repeat: 5
)");
  auto run = [&](const std::string &out, const std::string &extra = "") {
    auto r = box.concur("run -q " + config.string() + extra + " --out " + box.path(out).string());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return box.path(out).string();
  };
  const std::string a = run("a.csv"), b = run("b.csv"),
                    slow = run("slow.csv", " --set server.delay_scale=0.05"),
                    few = run("few.csv", " --set repeat=2");
  // Two runs of one seed crawl the same pages: on a count the seed fixes the
  // verdict is "same" whatever the machine is doing. (Their wall times differ
  // by the load of the moment: a busy machine once made one set 39% slower.)
  auto r = box.concur("compare " + a + " " + b + " --metric requests --fail-on slower:0.1%");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("threads workers=8 lanes=false") && Catch::Contains("same"));
  CHECK_THAT(r.out, Catch::Contains("base requests"));  // the metric's whole name heads its column
  // The slower variant sleeps five times as long: a neighbour that doubles
  // one run of the base (seen under a loaded suite) cannot hide it.

  r = box.concur("compare " + a + " " + slow + " --fail-on slower:5%");
  CHECK(r.exit_code == 1);
  // p is 2/C(10,5) = 0.0079 when every slow run is slower than every base run
  // (the exact value is rank_test_test's): a base run stretched past a slow
  // one by a busy machine moves p, not the verdict.
  CHECK_THAT(r.out, Catch::Contains("slower"));
  CHECK_THAT(r.err, Catch::Contains("significantly slower by more than 5.0%"));

  r = box.concur("compare " + a + " " + slow + " --json");
  CHECK(r.exit_code == 0);  // no --fail-on: the verdict is reported, not acted on
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["configurations"][0]["verdict"] == "slower");
  CHECK(doc["configurations"][0]["ratio"].get<double>() > 2);
  CHECK(doc["configurations"][0]["ratio_ci95"][0].get<double>() > 1);

  r = box.concur("compare " + few + " " + b);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("too few repeats"));

  r = box.concur("compare " + a + " " + box.path("missing.csv").string());
  CHECK(r.exit_code == 2);
  r = box.concur("compare " + a + " " + b + " --metric no_such_column");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("no_such_column"));
}
