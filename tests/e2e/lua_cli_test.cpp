// Lua through the `concur` binary: exit codes, messages naming the script
// line, CSV rows of finished runs kept, and every example script run small.
#include <catch2/catch.hpp>

#include "support/cli.hpp"

using concur::test::column;
using concur::test::Sandbox;
using concur::test::slurp;

namespace {

const std::string kSource = CONCUR_SOURCE_DIR;

std::string lab_config(const std::string &script) {
  return R"(name: lab
server: {seed: 7, pages: 60, extra_edges: 100, delay_scale: 0.002, cpu_iterations: 200, core_iterations: 50}
strategies:
  - plugin: sequential
  - plugin: threads
    workers: 2
script: )" +
         script + "\n";
}

}  // namespace

TEST_CASE("a hook error fails its run with exit 1; the rows before it stay", "[e2e][lua]") {
  Sandbox box;
  // Only the second run (threads) meets the error.
  const auto script = box.write("second.lua", R"(
function setup(run)
  if run.strategy == "threads" then
    error("threads are not welcome here")
  end
end
)");
  const auto config = box.write("lab.yaml", lab_config(script.string()));
  const auto r = box.concur("run -q " + config.string() + " -o " + box.path("runs.csv").string());
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains(script.string() + ":4: in setup: threads are not welcome"));
  const std::string csv = slurp(box.path("runs.csv"));
  CHECK(column(csv, "status") == std::vector<std::string>{"ok", "failed"});
  CHECK(column(csv, "script") == std::vector<std::string>{script.string(), script.string()});
}

TEST_CASE("a hooks file that does not load is a config error: exit 2, nothing runs", "[e2e][lua]") {
  Sandbox box;
  const auto script = box.write("broken.lua", "function on_page(page)\n  return {\nend\n");
  const auto config = box.write("lab.yaml", lab_config(script.string()));
  const auto r = box.concur("run -q " + config.string() + " -o " + box.path("runs.csv").string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(script.string() + ":3:"));
  CHECK_FALSE(std::filesystem::exists(box.path("runs.csv")));
  // --dry-run compiles it too.
  CHECK(box.concur("run --dry-run " + config.string()).exit_code == 2);
  // A missing file is named at the config's line.
  const auto missing = box.write("missing.yaml", lab_config("nowhere.lua"));
  const auto m = box.concur("run --dry-run " + missing.string());
  CHECK(m.exit_code == 2);
  CHECK_THAT(m.err, Catch::Contains("missing.yaml:7: script: no such file: nowhere.lua"));
}

TEST_CASE("scenario scripts: exit 0, 1 with the line, 2 for syntax and config errors",
          "[e2e][lua]") {
  Sandbox box;
  auto run = [&box](const std::string &name, const std::string &text) {
    return box.concur("run " + box.write(name, text).string());
  };
  const auto ok = run("ok.lua", "concur.log('plugins', #concur.plugins())\n");
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.err, Catch::Contains("plugins "));

  const auto raised = run("raise.lua", "local n = 1\nerror('stop here')\n");
  CHECK(raised.exit_code == 1);
  CHECK_THAT(raised.err, Catch::Contains("raise.lua:2: stop here"));
  CHECK_THAT(raised.err, Catch::Contains("stack traceback"));

  const auto syntax = run("syntax.lua", "for i = 1, 2 do\n");
  CHECK(syntax.exit_code == 2);
  CHECK_THAT(syntax.err, Catch::Contains("syntax.lua:2:"));

  const auto config =
      run("config.lua", "\nconcur.run{strategy = {plugin = 'threads', workers = 'many'}}\n");
  CHECK(config.exit_code == 2);
  CHECK_THAT(config.err, Catch::Contains("config.lua:2: concur.run: strategies[0].workers"));

  const auto listed =
      run("two.lua", "concur.run{strategy = {plugin = 'threads', workers = {1, 2}}}\n");
  CHECK(listed.exit_code == 2);
  CHECK_THAT(listed.err, Catch::Contains("expands into 2 configurations"));

  // --dry-run compiles a scenario without running it.
  CHECK(box.concur("run --dry-run " + box.path("raise.lua").string()).exit_code == 0);
  CHECK(box.concur("run --dry-run " + box.path("syntax.lua").string()).exit_code == 2);

  // -o belongs to YAML experiments.
  const auto misplaced = box.concur("run " + box.path("ok.lua").string() + " -o x.csv");
  CHECK(misplaced.exit_code == 2);
  CHECK_THAT(misplaced.err, Catch::Contains("-o/--out applies to YAML experiments"));
}

TEST_CASE("a scenario keeps the rows it wrote when it fails later", "[e2e][lua]") {
  Sandbox box;
  const auto csv = box.path("rows.csv").string();
  const auto script = box.write("partial.lua", R"(
local srv = concur.server{seed = 3, pages = 40, delay_scale = 0.002, cpu_iterations = 200,
                          core_iterations = 50}
local r = concur.run{server = srv, strategy = {plugin = "sequential"}}
r.note = "first"
concur.csv(")" + csv + R"(", r)
srv:stop()
concur.run{server = srv, strategy = {plugin = "sequential"}}
)");
  const auto r = box.concur("run " + script.string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("partial.lua:8: concur.run: server: that server was stopped"));
  const std::string rows = slurp(csv);
  CHECK(column(rows, "status") == std::vector<std::string>{"ok"});
  CHECK(column(rows, "note") == std::vector<std::string>{"first"});
  CHECK(column(rows, "pages_ok").at(0) == "40");
}

TEST_CASE("every example script runs (small)", "[e2e][lua]") {
  Sandbox box;
  SECTION("scripts/sweep.lua") {
    const auto csv = box.path("sweep.csv").string();
    const auto r = box.concur("run scripts/sweep.lua", kSource,
                              "SWEEP_PAGES=40 SWEEP_DELAY_SCALE=0.002 SWEEP_CSV=" + csv);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("workers=1 ") && Catch::Contains("efficiency="));
    const auto statuses = column(slurp(csv), "status");
    CHECK(statuses.size() >= 2);
    CHECK(std::count(statuses.begin(), statuses.end(), "ok") == static_cast<long>(statuses.size()));
  }
  SECTION("scripts/count-types.lua via configs/count-types.yaml") {
    const auto csv = box.path("types.csv").string();
    const auto r =
        box.concur("run -q configs/count-types.yaml --set server.pages=60 -o " + csv, kSource);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    const std::string rows = slurp(csv);
    // 60 pages: the shares are exact (60% regular, 10% of each other type).
    for (const auto &count : column(rows, "type_regular")) CHECK(count == "36");
    for (const auto &count : column(rows, "type_delay")) CHECK(count == "6");
    CHECK(column(rows, "strategy").size() == 4);
  }
  SECTION("scripts/priority.lua via configs/priority.yaml") {
    const auto r = box.concur(
        "run -q configs/priority.yaml --set server.pages=60 -o " + box.path("p.csv").string(),
        kSource);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    // The server shares its graph, so links have types and some were moved.
    CHECK_THAT(r.err, Catch::Matches("(.|\n)*threads: [1-9][0-9]* links moved, 60 pages(.|\n)*"));
  }
}
