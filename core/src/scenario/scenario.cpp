#include "scenario/scenario.hpp"

#include <algorithm>

#include "scenario/api.hpp"
#include "scenario/context.hpp"
#include "script/api.hpp"
#include "script/lua.hpp"

namespace concur::scenario {

using script::ScriptError;
using script::State;

std::vector<std::string> exposed_api() {
  Context context;
  State state;
  lua_State *L = state.get();
  open_api(L, context);
  std::vector<std::string> api;
  auto keys = [L](const std::string &prefix, std::vector<std::string> &out) {
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
      lua_pop(L, 1);
      if (lua_type(L, -1) == LUA_TSTRING) out.push_back(prefix + lua_tostring(L, -1));
    }
  };
  lua_getglobal(L, "concur");
  keys("concur.", api);
  lua_getfield(L, -1, "defaults");
  keys("hook ", api);
  lua_pop(L, 2);
  for (const auto &m : server_members()) api.push_back("server" + m);
  for (const auto &m : script::worker_members()) api.push_back("worker" + m);
  for (const auto &name : script::kernel_api()) api.push_back("concur." + name);
  std::sort(api.begin(), api.end());
  return api;
}

int check_scenario(const std::string &path, std::ostream &out, std::ostream &log) {
  State state;
  try {
    state.load_file(path);
  } catch (const ScriptError &e) {
    log << "concur: " << e.what() << "\n";
    return 2;
  }
  out << path << ": compiles. A scenario decides its runs as it goes: run it to see them.\n";
  return 0;
}

int run_scenario(const std::string &path, const ScenarioOptions &options, std::ostream &log) {
  Context context;
  context.script = path;
  context.options = options;
  context.log = &log;
  State state;
  open_api(state.get(), context);
  try {
    state.load_file(path);
    state.call(0, 0, "");
  } catch (const ScriptError &e) {
    log << "concur: " << e.what() << "\n";
    const bool usage = e.phase() == ScriptError::Phase::load || context.config_error;
    if (!usage && !e.traceback().empty()) log << e.traceback() << "\n";
    return usage ? 2 : 1;
  }
  return 0;
}

}  // namespace concur::scenario
