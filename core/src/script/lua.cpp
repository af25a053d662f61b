#include "script/lua.hpp"

#include <lua.hpp>

#include <cstdio>
#include <mutex>

#include "script/prelude.hpp"

namespace concur::script {
namespace {

constexpr const char *kTracebackKey = "concur.traceback";

// The first frame that runs Lua code (the user's script or the prelude): where
// an error raised inside a C function (a bad argument to concur.log) happened.
std::string lua_position(lua_State *L) {
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar); ++level) {
    lua_getinfo(L, "Sl", &ar);
    if (ar.currentline > 0) return std::string(ar.short_src) + ":" + std::to_string(ar.currentline);
  }
  return {};
}

// "file.lua:12: ..." (Lua's own runtime errors, error() at level 1 or 2)
// already says where; a C function's luaL_error does not.
bool positioned(const std::string &message) {
  const size_t colon = message.find(": ");
  if (colon == std::string::npos || colon == 0) return false;
  const size_t line = message.rfind(':', colon - 1);
  if (line == std::string::npos || line + 1 >= colon) return false;
  return message.find_first_not_of("0123456789", line + 1) == colon;
}

// lua_pcall's message handler: makes the message name its script line and
// keeps the traceback in the registry for the caller.
int message_handler(lua_State *L) {
  std::string message;
  if (const char *text = lua_tostring(L, 1)) {
    message = text;
  } else if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) {
    message = lua_tostring(L, -1);
  } else {
    message = std::string("(error object is a ") + luaL_typename(L, 1) + " value)";
  }
  const std::string where = lua_position(L);
  if (!where.empty() && !positioned(message)) message = where + ": " + message;
  luaL_traceback(L, L, nullptr, 1);
  lua_setfield(L, LUA_REGISTRYINDEX, kTracebackKey);
  lua_pushstring(L, message.c_str());
  return 1;
}

std::string one_line(std::string text) {
  for (char &c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return text;
}

std::mutex log_mutex;

// concur.log(...): its arguments, tostring'd and joined by spaces, as one line
// on stderr. Lines from different workers never interleave.
int log(lua_State *L) {
  std::string line;
  const int n = lua_gettop(L);
  for (int i = 1; i <= n; ++i) {
    if (i > 1) line += ' ';
    line += luaL_tolstring(L, i, nullptr);
    lua_pop(L, 1);
  }
  line += '\n';
  std::lock_guard lock(log_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
  return 0;
}

}  // namespace

ScriptError::ScriptError(Phase phase, const std::string &message, std::string traceback)
    : std::runtime_error(one_line(message)), phase_(phase), traceback_(std::move(traceback)) {}

std::string chunk_name(const std::string &path) {
  return "@" + path;
}

State::State() : L_(luaL_newstate()) {
  if (L_ == nullptr) throw std::bad_alloc();
  luaL_openlibs(L_);
  // Hooks make a few short-lived tables per page: young garbage, which Lua
  // 5.4's generational collector reclaims for less than the incremental one.
  lua_gc(L_, LUA_GCGEN, 0, 0);
  lua_newtable(L_);
  lua_pushcfunction(L_, log);
  lua_setfield(L_, -2, "log");
  lua_pushstring(L_, CONCUR_VERSION);
  lua_setfield(L_, -2, "version");
  lua_setglobal(L_, "concur");
  if (luaL_loadbuffer(L_, kPrelude.data(), kPrelude.size(), "=concur.prelude") != LUA_OK)
    throw ScriptError(ScriptError::Phase::load, lua_tostring(L_, -1));
  call(0, 0, "the prelude", ScriptError::Phase::load);
}

State::~State() {
  lua_close(L_);
}

void State::load_file(const std::string &path) {
  // luaL_loadfile names the chunk "@path": messages then read "path:line:".
  if (luaL_loadfilex(L_, path.c_str(), "t") != LUA_OK) {
    std::string message = lua_tostring(L_, -1);
    lua_pop(L_, 1);
    throw ScriptError(ScriptError::Phase::load, message);
  }
}

void State::run_file(const std::string &path) {
  load_file(path);
  call(0, 0, "", ScriptError::Phase::load);
}

void State::call(int nargs, int nresults, const std::string &what, ScriptError::Phase phase) {
  const int base = lua_gettop(L_) - nargs;  // the function's slot
  lua_pushcfunction(L_, message_handler);
  lua_insert(L_, base);
  const int rc = lua_pcall(L_, nargs, nresults, base);
  lua_remove(L_, base);
  if (rc == LUA_OK) return;
  std::string message = lua_tostring(L_, -1) ? lua_tostring(L_, -1) : "unknown Lua error";
  lua_pop(L_, 1);
  lua_getfield(L_, LUA_REGISTRYINDEX, kTracebackKey);
  std::string traceback = lua_tostring(L_, -1) ? lua_tostring(L_, -1) : "";
  lua_pop(L_, 1);
  if (rc == LUA_ERRMEM) message = "out of memory";
  // "sweep.lua:12: in on_page: attempt to index a nil value": the line first,
  // as compilers do, then which hook was running.
  if (!what.empty()) {
    const size_t colon = message.find(": ");
    message = positioned(message)
                  ? message.substr(0, colon) + ": in " + what + ": " + message.substr(colon + 2)
                  : "in " + what + ": " + message;
  }
  throw ScriptError(phase, message, traceback);
}

}  // namespace concur::script
