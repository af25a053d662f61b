// Scenario scripts: `concur run sweep.lua`. A Lua program drives experiments
// through the concur table (docs/lua.md): concur.server{} starts a demo
// server, concur.run{} runs one configuration and returns its row,
// concur.csv() appends rows, concur.plugins() lists strategies. The Lua state
// and calling conventions are script/'s; this folder adds the API, which
// stands on the experiment layer (one run: experiment::Session::run_single).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace concur::scenario {

struct ScenarioOptions {
  std::vector<std::string> overrides;  // --set: applied to every concur.run{}
};

// Runs the script; returns the exit code: 0 when it finished, 1 when it
// raised an error, 2 when it does not compile or a concur.run/concur.server
// table is not a valid config. Messages name the script line.
int run_scenario(const std::string &path, const ScenarioOptions &options, std::ostream &log);

// --dry-run: compiles the script without running it (a scenario decides its
// runs as it goes, so there is nothing to list). 0, or 2 with the line.
int check_scenario(const std::string &path, std::ostream &out, std::ostream &log);

// The Lua surface as the code defines it, listed from live states so that
// docs/lua.md can be checked against it (tests/unit/scenario/docs_test.cpp):
// "concur.run", "concur.log", ... (the concur table of a scenario state),
// "hook setup", "hook on_page", ... (concur.defaults), and the methods and
// fields of the handles: "server:stop", "server.base_url", "worker:get", ...
std::vector<std::string> exposed_api();

}  // namespace concur::scenario
