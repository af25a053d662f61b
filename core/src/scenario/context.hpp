// What a scenario's API functions share: one per run_scenario(), reached from
// Lua through the registry.
#pragma once

#include <lua.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/experiment.hpp"
#include "scenario/scenario.hpp"

namespace concur::server {
class Server;
}

namespace concur::scenario {

struct Context {
  std::string script;
  ScenarioOptions options;
  std::ostream *log = nullptr;
  bool config_error = false;  // the error being raised is a config error: exit 2
  struct CsvFile {
    std::ofstream out;
    std::vector<std::string> columns;
  };
  std::map<std::string, CsvFile> csv_files;  // by path, as the script wrote it
};

// Thrown by an API function for a mistake in its arguments.
struct ApiError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline constexpr const char *kContextKey = "concur.scenario";

inline Context &context_of(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kContextKey);
  auto *context = static_cast<Context *>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return *context;
}

// Runs an API function's body, turning C++ exceptions into Lua errors. The
// Lua library is C: a Lua error longjmps, so it is raised only here, once
// every C++ object of the body is gone.
template <typename Body>
int guarded(lua_State *L, const char *name, Body &&body) {
  char message[4096];
  try {
    return body();
  } catch (const config::ConfigError &e) {
    context_of(L).config_error = true;
    std::snprintf(message, sizeof message, "%s: %s%s%s", name, e.key().c_str(),
                  e.key().empty() ? "" : ": ", e.message().c_str());
  } catch (const std::exception &e) {
    std::snprintf(message, sizeof message, "%s: %s", name, e.what());
  }
  return luaL_error(L, "%s", message);
}

// concur.server{} and its handle (server.cpp); concur.run{} (run.cpp);
// concur.csv() and concur.plugins() (api.cpp).
int api_server(lua_State *L);
int api_run(lua_State *L);
// The server handle at `index`, or null when the value is no concur.server{}.
server::Server *server_of(lua_State *L, int index);
std::vector<std::string> server_members();

}  // namespace concur::scenario
