// The command strategy through the `concur` binary: outside programs judged
// by the embedded server's own counts — a crawler that does the whole job, one
// that skips its puzzles, one that hangs, one that fails, one that leaves a
// child behind, one that crawls nothing.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "support/cli.hpp"

using concur::test::column;
using concur::test::Sandbox;
using concur::test::slurp;

namespace {

// A small graph with small puzzles and few extra links, so that most puzzle
// answers are reachable only through their puzzle.
std::string experiment(const std::string &strategies) {
  return "name: cmd\n"
         "server: {seed: 7, pages: 150, extra_edges: 40, delay_scale: 0.01, cpu_iterations: 2000, "
         "core_iterations: 500}\n"
         "order: grouped\n"
         "strategies:\n" +
         strategies;
}

// Whether process `pid` is gone (or a zombie waiting for init), within 10 s.
bool ends(pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
    const size_t close = stat.rfind(')');
    if (stat.empty() || close == std::string::npos || stat[close + 2] == 'Z') return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a condition
  }
  return false;
}

}  // namespace

TEST_CASE("a crawler that does the whole job is ok, counted by the server", "[e2e][command]") {
  Sandbox box;
  const auto config = box.write(
      "c.yaml",
      experiment(
          R"(  - plugin: threads
    workers: 4
  - plugin: command
    name: py_threads
    run: ")" CONCUR_SOURCE_DIR
          R"(/scripts/peers/crawl_threading.py {base_url} --workers {workers} --retries {retries}"
    workers: [2, 4]
)"));
  const auto r = box.concur("run " + config.string() + " -o " + box.path("runs.csv").string());
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string csv = slurp(box.path("runs.csv"));
  const auto strategies = column(csv, "strategy"), pages = column(csv, "pages_ok"),
             requests = column(csv, "requests"), status = column(csv, "status"),
             basis = column(csv, "bound_basis"), efficiency = column(csv, "efficiency"),
             coverage = column(csv, "coverage"), program = column(csv, "program"),
             options = column(csv, "options"), latency = column(csv, "latency_p50_ms");
  REQUIRE(strategies.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(status[i] == "ok");
    CHECK(pages[i] == pages[0]);        // the same graph, the same pages, plugin or program
    CHECK(requests[i] == requests[0]);  // same seed: the same failures
    CHECK(basis[i] == "graph");
    CHECK(coverage[i] == "1.0000");
    CHECK(std::stod(efficiency[i]) > 0);
    CHECK(std::stod(efficiency[i]) <= 1.0);
  }
  CHECK(strategies[1] == "py_threads");
  CHECK(options[1] == "workers=2");
  CHECK(latency[1].empty());  // the server cannot time what the program waited
  CHECK_THAT(program[1], Catch::Contains("crawl_threading.py http://127.0.0.1:") &&
                             Catch::Contains("--workers 2 --retries "));
  CHECK(program[0].empty());
}

TEST_CASE("a crawler that skips its puzzles is caught by the server", "[e2e][command]") {
  Sandbox box;
  const auto config = box.write("c.yaml", experiment(R"(  - plugin: command
    run: ")" CONCUR_SOURCE_DIR R"(/tests/e2e/crawlers/skip_puzzles.py {base_url} {start}"
)"));
  const auto r = box.concur("run " + config.string() + " -o " + box.path("runs.csv").string());
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const std::string csv = slurp(box.path("runs.csv"));
  CHECK(column(csv, "strategy").at(0) == "skip_puzzles");
  CHECK(column(csv, "status").at(0) == "failed");
  CHECK_THAT(column(csv, "validity").at(0),
             Catch::Contains("puzzles_unsolved: ") && Catch::Contains("incomplete ("));
  CHECK_THAT(r.out,
             Catch::Contains("puzzle pages it fetched had a hidden link it never requested"));
  CHECK(std::stod(column(csv, "coverage").at(0)) < 1);
}

TEST_CASE("a crawler that hangs is stopped at its timeout, with its children", "[e2e][command]") {
  Sandbox box;
  const auto pids = box.path("pids");
  const auto config = box.write("c.yaml", experiment(R"(  - plugin: command
    name: hangs
    run: "sleep 300 & echo $! > )" + pids.string() + R"(; wait"
    timeout_s: 1
)"));
  const auto r = box.concur("run " + config.string() + " -o " + box.path("runs.csv").string());
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const std::string csv = slurp(box.path("runs.csv"));
  CHECK(column(csv, "status").at(0) == "failed");
  CHECK_THAT(column(csv, "error").at(0),
             Catch::Contains("stopped at its timeout (timeout_s = 1 s)"));
  const pid_t child = std::stoi(slurp(pids));
  CHECK(ends(child));  // no orphan: the whole process group was stopped
}

TEST_CASE("a crawler that fails says so with its stderr; one that leaves a child is cleaned up",
          "[e2e][command]") {
  Sandbox box;
  const auto pids = box.path("pids");
  const auto config = box.write("c.yaml", experiment(R"(  - plugin: command
    name: fails
    run: "echo cannot reach {base_url} >&2; exit 3"
  - plugin: command
    name: leaves
    run: "sleep 300 & echo $! > )" + pids.string() + R"("
)"));
  const auto r = box.concur("run " + config.string() + " -o " + box.path("runs.csv").string());
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const std::string csv = slurp(box.path("runs.csv"));
  const auto error = column(csv, "error"), validity = column(csv, "validity");
  CHECK_THAT(error.at(0), Catch::Contains("exited with status 3; its stderr ends: cannot reach "
                                          "http://127.0.0.1:"));
  CHECK_THAT(validity.at(1), Catch::Contains("left_processes"));
  CHECK(ends(std::stoi(slurp(pids))));
}

TEST_CASE("a crawler inherits only its standard streams; one that crawls nothing fails",
          "[e2e][command]") {
  Sandbox box;
  const auto fds = box.path("fds");
  // The shell lists its own descriptors; the embedded server listens and
  // concur has connections open while the program runs.
  const auto config = box.write("c.yaml", experiment(R"(  - plugin: command
    name: lists
    run: "for f in /proc/$$/fd/*; do echo $f $(readlink $f); done > )" +
                                                     fds.string() + R"("
)"));
  const auto r = box.concur("run " + config.string() + " -o " + box.path("runs.csv").string());
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);  // it crawled nothing: not even the start page
  const std::string csv = slurp(box.path("runs.csv"));
  CHECK(column(csv, "status").at(0) == "failed");
  CHECK_THAT(column(csv, "validity").at(0), Catch::Contains("pages_missed: 1"));
  const std::string listed = slurp(fds);
  INFO(listed);
  CHECK_THAT(listed, Catch::Contains("/fd/0 /dev/null"));
  CHECK_THAT(listed, !Catch::Contains("socket:"));
}

TEST_CASE("command entries are checked before anything runs", "[e2e][command]") {
  Sandbox box;
  auto check = [&box](const std::string &entry, const std::string &error) {
    const auto config = box.write("c.yaml", experiment(entry));
    const auto r = box.concur("run --dry-run " + config.string());
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(error));
  };
  check("  - plugin: command\n    workers: 3\n",
        "strategies[0].run: the command strategy needs `run:`");
  check("  - plugin: command\n    run: \"x {base_ur}\"\n",
        "strategies[0].run: unknown placeholder {base_ur} (did you mean 'base_url'?");
  check("  - plugin: command\n    run: \"x {base_url\"\n", "is never closed");
  check("  - plugin: command\n    run: x\n    timeout_s: 0\n", "expected a number of seconds > 0");
  check("  - plugin: command\n    run: [a, b]\n", "takes one value, not a list");
  check("  - plugin: command\n    run: a.py\n  - plugin: command\n    run: b/a.sh\n",
        "another command entry is named 'a'");
}
