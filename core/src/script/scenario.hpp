// Scenario scripts: `concur run sweep.lua`. A Lua program drives experiments
// through the concur table (docs/lua.md): concur.server{} starts a demo
// server, concur.run{} runs one configuration and returns its row,
// concur.csv() appends rows, concur.plugins() lists strategies.
#pragma once

#include <ostream>
#include <string>
#include <vector>

struct lua_State;

namespace concur::script {

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

// Adds concur.run, concur.server, concur.csv and concur.plugins to a state's
// `concur` table.
struct ScenarioContext;
void open_scenario_api(lua_State *L, ScenarioContext &context);

}  // namespace concur::script
