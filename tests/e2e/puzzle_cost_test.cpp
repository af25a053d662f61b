// Before it makes puzzles that take minutes, an experiment with an embedded
// server and a Lua scenario's concur.server{} say what it will cost, in one
// line, before the first puzzle is done. The processes are stopped as soon as
// the line shows: nothing here spends the minutes.
#include <signal.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "support/cli.hpp"

using concur::test::Background;
using concur::test::Sandbox;
using concur::test::slurp;
using Clock = std::chrono::steady_clock;

namespace {

// Polls `log` until it holds `text` (a bounded wait for a condition).
bool log_shows(const std::string &log, const std::string &text) {
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    if (slurp(log).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// 300 pages at the course's sizes: 30 cpu pages x 50,000,000 md5 steps and
// 30 core pages x 4 x 12,500,000, minutes on any machine.
const char *kCostLine = "concur: making 60 puzzles, about ";
const char *kSizes = "(cpu_iterations 50000000, core_iterations 12500000), then kept in ";

void check_cost_stated(const std::vector<std::string> &args, const Sandbox &box,
                       const std::string &never) {
  const std::string log = box.path("run.log").string();
  // An empty cache folder: nothing to load, everything to make.
  Background run(args, log, {"env", "CONCUR_CACHE_DIR=" + box.path("cache").string()});
  REQUIRE(log_shows(log, kCostLine));
  const std::string text = slurp(log);
  INFO(text);
  const std::string line = text.substr(text.find(kCostLine));
  CHECK_THAT(line, Catch::Contains(kSizes) && Catch::Contains(box.path("cache").string()));
  CHECK(text.find(never) == std::string::npos);  // stated before, not after
  run.signal(SIGKILL);
}

}  // namespace

TEST_CASE("an experiment's embedded server states the cost of full-size puzzles first",
          "[e2e][cost]") {
  Sandbox box;
  const auto config = box.write("full.yaml",
                                "name: full\nserver: {seed: 7, pages: 300}\n"
                                "strategies:\n  - plugin: sequential\n");
  check_cost_stated({"run", config.string(), "-o", box.path("runs.csv").string()}, box,
                    "embedded demo server on");
}

TEST_CASE("a scenario's concur.server{} states the cost of full-size puzzles first",
          "[e2e][cost][lua]") {
  Sandbox box;
  const auto script = box.write("full.lua",
                                "local srv = concur.server{seed = 7, pages = 300}\n"
                                "concur.log('server made')\n");
  check_cost_stated({"run", script.string()}, box, "server made");
}
