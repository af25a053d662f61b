#include "script/kernels.hpp"

#include <lua.hpp>

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

}  // namespace

std::optional<KernelRef> parse_kernel_ref(const std::string &name) {
  constexpr std::string_view kPrefix = "lua:";
  if (name.rfind(kPrefix, 0) != 0) return std::nullopt;
  const std::string rest = name.substr(kPrefix.size());
  const size_t hash = rest.rfind('#');
  if (hash == std::string::npos || hash == 0 || hash + 1 == rest.size())
    throw ScriptError(ScriptError::Phase::load, "kernel '" + name +
                                                    "': expected lua:FILE#FUNCTION, e.g. " +
                                                    "lua:scripts/kernels.lua#sum_of_squares");
  return KernelRef{rest.substr(0, hash), rest.substr(hash + 1)};
}

LuaKernels::LuaKernels(const std::string &file) : file_(file) {
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
  state_.call(static_cast<int>(args.size()), 1, "kernel " + function);
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
