#include "script/kernels.hpp"

#include <lua.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "script/api.hpp"
#include "script/gil.hpp"
#include "script/values.hpp"

namespace concur::script {
namespace {

// A scalar reads as itself, a list of scalars as its items joined by ','
// (prime factors: "2,2,3").
bool result_text(lua_State *L, int index, std::string &out) {
  if (scalar_text(L, index, out)) return true;
  if (!lua_istable(L, index)) return false;
  index = lua_absindex(L, index);
  out.clear();
  std::string item;
  const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, index));
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_rawgeti(L, index, i);
    const bool scalar = scalar_text(L, -1, item);
    lua_pop(L, 1);
    if (!scalar) return false;
    out += (i > 1 ? "," : "") + item;
  }
  return true;
}

// Threads running a Lua kernel right now, without a GIL (with one, the GIL
// keeps the count).
std::atomic<int> running_without_gil{0};

constexpr const char *kGilKey = "concur.gil";

// concur.running_kernels(): how many threads run Lua kernel code at this
// instant, this one included. Under a GIL it must always be 1: a kernel that
// checks it checks the GIL.
int running_kernels(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kGilKey);
  const auto *gil = static_cast<const Gil *>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  lua_pushinteger(L, gil ? gil->running() : running_without_gil.load());
  return 1;
}

thread_local double declared_wait_s = 0;

// concur.sleep(seconds): waits as I/O waits, without the GIL (Python's
// time.sleep releases it too), so other threads' Lua runs meanwhile.
int sleep_seconds(lua_State *L) {
  const double seconds = luaL_checknumber(L, 1);
  luaL_argcheck(L, seconds >= 0 && seconds <= 3600, 1, "between 0 and 3600 seconds");
  lua_getfield(L, LUA_REGISTRYINDEX, kGilKey);
  auto *gil = static_cast<Gil *>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  if (gil != nullptr)
    gil->release();
  else
    --running_without_gil;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  declared_wait_s += seconds;
  if (gil != nullptr)
    gil->acquire();
  else
    ++running_without_gil;
  return 0;
}

// What a kernel state adds to the concur table.
const luaL_Reg kKernelApi[] = {
    {"running_kernels", running_kernels}, {"sleep", sleep_seconds}, {nullptr, nullptr}};

// Holds the GIL (or counts the thread) for one kernel call, whatever happens.
class KernelTurn {
 public:
  KernelTurn(lua_State *L, Gil *gil) : L_(L), gil_(gil) {
    if (gil_ == nullptr) {
      ++running_without_gil;
      return;
    }
    gil_->acquire();
    Gil::attach(L_, gil_);
  }
  ~KernelTurn() {
    if (gil_ == nullptr) {
      --running_without_gil;
      return;
    }
    Gil::attach(L_, nullptr);
    gil_->release();
  }
  KernelTurn(const KernelTurn &) = delete;
  KernelTurn &operator=(const KernelTurn &) = delete;

 private:
  lua_State *L_;
  Gil *gil_;
};

}  // namespace

double take_declared_wait_s() {
  const double waited = declared_wait_s;
  declared_wait_s = 0;
  return waited;
}

std::vector<std::string> kernel_api() {
  std::vector<std::string> names;
  for (const luaL_Reg *r = kKernelApi; r->name != nullptr; ++r) names.emplace_back(r->name);
  return names;
}

LuaKernels::LuaKernels(const std::string &file, Gil *gil) : file_(file), gil_(gil) {
  lua_State *L = state_.get();
  lua_pushlightuserdata(L, gil);
  lua_setfield(L, LUA_REGISTRYINDEX, kGilKey);
  lua_getglobal(L, "concur");
  luaL_setfuncs(L, kKernelApi, 0);
  lua_pop(L, 1);
  // The file's main chunk is Lua code too: under the GIL like the rest.
  KernelTurn turn(L, gil_);
  state_.run_file(file);
}

bool LuaKernels::has(const std::string &function) const {
  lua_State *L = state_.get();
  const bool found = lua_getglobal(L, function.c_str()) == LUA_TFUNCTION;
  lua_pop(L, 1);
  return found;
}

std::string LuaKernels::call(const std::string &function, const std::vector<std::string> &args) {
  lua_State *L = state_.get();
  if (lua_getglobal(L, function.c_str()) != LUA_TFUNCTION) {
    lua_pop(L, 1);
    throw ScriptError(ScriptError::Phase::load, file_ + ": no function '" + function +
                                                    "' (a kernel must be a global function)");
  }
  for (const auto &arg : args) push_scalar_text(L, arg);
  {
    KernelTurn turn(L, gil_);
    state_.call(static_cast<int>(args.size()), 1, "kernel " + function);
  }
  std::string result;
  const bool readable = result_text(L, -1, result);
  const std::string type = luaL_typename(L, -1);
  lua_pop(L, 1);
  if (!readable)
    throw ScriptError(ScriptError::Phase::run, file_ + ": in kernel " + function + ": returned a " +
                                                   type +
                                                   "; a kernel returns a number, a string, "
                                                   "a boolean or a list of those");
  return result;
}

}  // namespace concur::script
