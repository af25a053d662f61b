// Compute experiments through the `concur` binary: every strategy runs the
// same tasks, mistakes in the tasks are config errors before anything runs,
// and a failing Lua kernel fails its run naming the line.
#include <catch2/catch.hpp>

#include "support/cli.hpp"

using concur::test::column;
using concur::test::Sandbox;
using concur::test::slurp;

namespace {

std::string experiment(const std::string &tasks, const std::string &strategies) {
  return "name: c\ncompute:\n  tasks:\n" + tasks + "strategies:\n" + strategies;
}

const std::string kTasks =
    "    - {kernel: md5_chain, count: 9, iterations: 20000}\n"
    "    - {kernel: \"lua:" CONCUR_SOURCE_DIR
    "/scripts/kernels.lua#prime_factors\", count: 3, "
    "args: [600851475143]}\n"
    "    - {kernel: factorial_digits, count: 2, args: [500]}\n"
    "    - {kernel: sum_of_squares, count: 2, args: [100000]}\n";

}  // namespace

TEST_CASE("every strategy runs a compute experiment's tasks, all of them", "[e2e][compute]") {
  Sandbox box;
  const std::string strategies = R"(  - plugin: sequential
  - plugin: threads
    workers: 3
    lanes: [false, true]
  - plugin: processes
    workers: 2
  - plugin: producer_consumer
  - plugin: async
    executor: [inline, threads, processes]
  - plugin: fibers
    cpu_offload: [false, true]
)";
  const auto config = box.write("c.yaml", experiment(kTasks, strategies));
  const auto r = box.concur("run -q " + config.string() + " -o " + box.path("runs.csv").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string csv = slurp(box.path("runs.csv"));
  const auto statuses = column(csv, "status");
  CHECK(statuses.size() == 10);
  for (const auto &s : statuses) CHECK(s == "ok");
  for (const auto &n : column(csv, "pages_ok")) CHECK(n == "16");
  for (const auto &n : column(csv, "requests")) CHECK(n == "0");
  for (const auto &b : column(csv, "bound_basis")) CHECK(b == "compute");
  for (const auto &e : column(csv, "efficiency")) CHECK(std::stod(e) <= 1.0);
  CHECK_THAT(csv, Catch::Contains("\"md5_chain x9 (20000 iterations), lua:"));
}

TEST_CASE("mistakes in compute tasks are config errors naming the line", "[e2e][compute]") {
  Sandbox box;
  auto check = [&box](const std::string &name, const std::string &text, const std::string &error) {
    const auto config = box.write(name, text);
    const auto r = box.concur("run " + config.string() + " -o " + box.path("x.csv").string());
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(error));
  };
  const std::string seq = "  - plugin: sequential\n";
  check("unknown.yaml", experiment("    - {kernel: fibonacci, args: [3]}\n", seq),
        "unknown.yaml:4: compute.tasks[0].kernel: unknown kernel 'fibonacci'");
  check("md5.yaml", experiment("    - {kernel: md5_chain, count: 2}\n", seq),
        "md5_chain needs 'iterations'");
  check("args.yaml", experiment("    - {kernel: prime_factors, args: [x]}\n", seq),
        "prime_factors takes one argument, a non-negative integer");
  check("nofile.yaml", experiment("    - {kernel: \"lua:nowhere.lua#f\"}\n", seq),
        "no such file: nowhere.lua");
  const auto lua = box.write("k.lua", "function present(n) return n end\n");
  check("nofn.yaml", experiment("    - {kernel: \"lua:" + lua.string() + "#absent\"}\n", seq),
        "defines no global function 'absent'");
  check("crawl.yaml",
        experiment("    - {kernel: sum_of_squares, args: [3]}\n", seq) + "crawl: {max_pages: 5}\n",
        "crawl: a compute experiment has no crawl");
  const std::string puzzles = "    - {kernel: puzzles, count: 3}\n";
  check("server.yaml",
        experiment("    - {kernel: sum_of_squares, args: [3]}\n", seq) + "server: {seed: 3}\n",
        "server.yaml:7: server: a compute experiment reads server settings only for puzzles");
  check("delay.yaml", experiment(puzzles, seq) + "server: {seed: 3, delay_scale: 0}\n",
        "delay.yaml:7: server.delay_scale: a compute experiment serves nothing");
  check("iter.yaml", experiment("    - {kernel: puzzles, iterations: 5}\n", seq),
        "puzzles takes 'count' and 'types'");
  check("types.yaml", experiment("    - {kernel: md5_chain, iterations: 5, types: [cpu]}\n", seq),
        "only puzzles takes 'types'");
  check("badtype.yaml", experiment("    - {kernel: puzzles, types: [cpu, delay]}\n", seq),
        "compute.tasks[0].types[1]: expected cpu or core");
  check("many.yaml",
        experiment("    - {kernel: puzzles, count: 50}\n", seq) +
            "server: {pages: 60, cpu_iterations: 100, core_iterations: 100}\n",
        "many.yaml:4: compute.tasks[0].count: the server's graph (seed 42, 60 pages) has 12 "
        "cpu+core pages, not 50");
}

TEST_CASE(
    "puzzles tasks: the server's cpu and core pages as CPU work, solved and checked by "
    "every strategy",
    "[e2e][compute]") {
  Sandbox box;
  const std::string strategies = R"(  - plugin: sequential
  - plugin: threads
    workers: 2
    lanes: [false, true]
  - plugin: processes
    workers: 2
  - plugin: async
    executor: processes
)";
  const auto config = box.write(
      "p.yaml", experiment("    - {kernel: puzzles, count: 20}\n", strategies) +
                    "server: {seed: 7, pages: 200, cpu_iterations: 20000, core_iterations: "
                    "5000}\n");
  const auto r = box.concur("run -q " + config.string() + " -o " + box.path("runs.csv").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string csv = slurp(box.path("runs.csv"));
  const auto statuses = column(csv, "status");
  CHECK(statuses.size() == 5);
  for (const auto &s : statuses) CHECK(s == "ok");
  for (const auto &n : column(csv, "pages_ok")) CHECK(n == "20");
  for (const auto &n : column(csv, "seed")) CHECK(n == "7");
  CHECK_THAT(csv, Catch::Contains("\"puzzles x20 (cpu+core pages of seed 7, 20000/5000 "
                                  "iterations)\""));
}

TEST_CASE("a Lua kernel's error fails its run with exit 1 and names the line", "[e2e][compute]") {
  Sandbox box;
  const auto lua = box.write("bad.lua", "function half(n)\n  return n.half\nend\n");
  const auto config = box.write("c.yaml", experiment("    - {kernel: \"lua:" + lua.string() +
                                                         "#half\", count: 2, args: [4]}\n",
                                                     "  - plugin: threads\n    workers: 2\n"));
  const auto r = box.concur("run -q " + config.string() + " -o " + box.path("runs.csv").string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("bad.lua:2: in kernel half: attempt to index a number value"));
  CHECK(column(slurp(box.path("runs.csv")), "status") == std::vector<std::string>{"failed"});
}

TEST_CASE("under gil: true no two Lua kernels ever run at once, checked by the kernels",
          "[e2e][compute][gil]") {
  Sandbox box;
  // gil_exclusive asks concur.running_kernels() over and over and fails its
  // task the moment another thread runs Lua beside it.
  const std::string tasks = "    - {kernel: \"lua:" CONCUR_SOURCE_DIR
                            "/scripts/kernels.lua#gil_exclusive\", count: 8, args: [200000]}\n";
  const auto fixed = box.write("gil2.yaml", "name: g\ncompute:\n  gil: true\n  tasks:\n" + tasks +
                                                "strategies:\n  - plugin: threads\n    workers: 4\n"
                                                "  - plugin: processes\n    workers: 2\n"
                                                "  - plugin: async\n    executor: threads\n");
  const auto r = box.concur("run -q " + fixed.string() + " -o " + box.path("runs.csv").string());
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const std::string csv = slurp(box.path("runs.csv"));
  CHECK(column(csv, "status") == std::vector<std::string>{"ok", "ok", "ok"});
  CHECK(column(csv, "gil") == std::vector<std::string>{"true", "true", "true"});
}

TEST_CASE("workloads and gil values multiply the runs; speedup is over the sequential run",
          "[e2e][compute]") {
  Sandbox box;
  const auto config = box.write("w.yaml", R"(name: w
compute:
  workloads:
    small: [{kernel: sum_of_squares, count: 4, args: [200000]}]
    chains: [{kernel: md5_chain, count: 4, iterations: 20000}]
  gil: [false, true]
order: interleaved   # rows in the matrix's own order, which this test reads
strategies:
  - plugin: sequential
  - plugin: threads
    workers: 2
)");
  const auto r = box.concur("run -q " + config.string() + " -o " + box.path("runs.csv").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string csv = slurp(box.path("runs.csv"));
  CHECK(column(csv, "options") ==
        std::vector<std::string>{"workload=small gil=false", "workload=small gil=true",
                                 "workload=chains gil=false", "workload=chains gil=true",
                                 "workers=2 lanes=false workload=small gil=false",
                                 "workers=2 lanes=false workload=small gil=true",
                                 "workers=2 lanes=false workload=chains gil=false",
                                 "workers=2 lanes=false workload=chains gil=true"});
  const auto speedups = column(csv, "speedup");
  for (size_t i = 0; i < 4; ++i) CHECK(speedups.at(i) == "1.0000");  // sequential over itself
  for (size_t i = 4; i < 8; ++i) CHECK(std::stod(speedups.at(i)) > 0);
  for (const auto &p : column(csv, "peak_parallel")) CHECK(std::stoi(p) >= 1);
  for (const auto &c : column(csv, "cores")) CHECK(std::stoi(c) >= 1);
  // A gil value that is not a boolean is a config error.
  const auto bad = box.write("bad.yaml",
                             "name: b\ncompute:\n  gil: maybe\n  tasks: [{kernel: "
                             "sum_of_squares, args: [3]}]\nstrategies: [{plugin: "
                             "sequential}]\n");
  const auto b = box.concur("run " + bad.string());
  CHECK(b.exit_code == 2);
  CHECK_THAT(b.err, Catch::Contains("compute.gil"));
}

TEST_CASE("run says when it makes a folder for its results and when it replaces them",
          "[e2e][compute]") {
  Sandbox box;
  const auto config =
      box.write("o.yaml", experiment("    - {kernel: sum_of_squares, count: 1, args: [10]}\n",
                                     "  - plugin: sequential\n"));
  const std::string out = box.path("new/folder/runs.csv").string();
  auto r = box.concur("run -q " + config.string() + " -o " + out);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("creating the folder " + box.path("new/folder").string()));
  CHECK_THAT(r.err, !Catch::Contains("replacing"));
  r = box.concur("run -q " + config.string() + " -o " + out);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("replacing " + out + ", an earlier result set"));
  CHECK_THAT(r.err, !Catch::Contains("creating the folder"));
  CHECK(column(slurp(out), "status").size() == 1);
}
