// `thresholds:` as a user meets them: every row checked, the verdict in the
// CSVs, on the terminal, in the report and in the exit code. The thresholds
// here are on counts, which a seeded lab makes exact: never on speed.
#include <catch2/catch.hpp>

#include <string>

#include "support/cli.hpp"

using concur::test::column;
using concur::test::Sandbox;
using concur::test::slurp;

namespace {

// 60 pages, no failures: pages_ok is 60 in every run, pages_failed 0.
const char *kLab = R"(name: gate
server: {seed: 7, pages: 60, extra_edges: 100, delay_scale: 0.002, failure_rate: 0,
         cpu_iterations: 200, core_iterations: 50}
thresholds:
  pages_failed: "== 0"
  pages_ok: ">= 60"
strategies:
  - plugin: sequential
  - plugin: threads
    workers: 4
    thresholds: {pages_ok: "> 60"}
repeat: 2
)";

}  // namespace

TEST_CASE("thresholds: a missed one names the row, the figure and exits 1", "[e2e][thresholds]") {
  Sandbox box;
  const auto config = box.write("gate.yaml", kLab);
  const std::string csv = box.path("gate.csv").string();
  auto r = box.concur("run " + config.string() + " --out " + csv);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  // The threads entry replaces pages_ok >= 60 with > 60, which 60 pages miss.
  CHECK_THAT(r.err, Catch::Contains("threshold missed: threads workers=4 lanes=false repeat 1: "
                                    "pages_ok > 60 (60)"));
  CHECK_THAT(r.err, Catch::Contains("thresholds missed in 2 of 4 runs"));
  CHECK_THAT(r.out, Catch::Contains("medians missed: pages_ok > 60 (60)"));
  const auto cells = column(slurp(csv), "thresholds");
  REQUIRE(cells.size() == 4);
  CHECK(cells[0] == "met");
  CHECK(cells[1] == "missed: pages_ok > 60 (60)");
  CHECK(cells[2] == "met");
  CHECK(cells[3] == "missed: pages_ok > 60 (60)");
  const auto summary = column(slurp(box.path("gate.summary.csv")), "thresholds");
  REQUIRE(summary.size() == 2);
  CHECK(summary[0] == "met");
  CHECK(summary[1] == "missed: pages_ok > 60 (60)");

  r = box.concur("report " + csv);
  REQUIRE(r.exit_code == 0);
  const std::string html = slurp(box.path("gate.html"));
  CHECK_THAT(html, Catch::Contains(">Thresholds</h2>") && Catch::Contains("met in 2 of 2") &&
                       Catch::Contains("missed in 2 of 2") &&
                       Catch::Contains("repeat 1: pages_ok &gt; 60 (60)"));
}

TEST_CASE("thresholds: all met exits 0 and says so", "[e2e][thresholds]") {
  Sandbox box;
  const auto config = box.write("gate.yaml", kLab);
  auto r = box.concur("run -q " + config.string() + " --out " + box.path("ok.csv").string() +
                      " --set strategies[1].thresholds.pages_ok=\"== 60\"");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("thresholds met in all 4 runs"));
  for (const auto &cell : column(slurp(box.path("ok.csv")), "thresholds")) CHECK(cell == "met");
}

TEST_CASE("thresholds: a bad expression is a config error at its line, before any run",
          "[e2e][thresholds]") {
  Sandbox box;
  const auto config = box.write("bad.yaml", R"(strategies:
  - plugin: sequential
thresholds:
  wall_s: "=< 3"
)");
  for (const std::string command : {"run --dry-run ", "run "}) {
    auto r = box.concur(command + config.string() + " --out " + box.path("bad.csv").string());
    INFO(command << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("bad.yaml:4: thresholds.wall_s: expected OPERATOR NUMBER"));
  }
  CHECK_FALSE(std::filesystem::exists(box.path("bad.csv")));
}
