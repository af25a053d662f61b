#include "script/values.hpp"

#include <lua.hpp>

#include <cerrno>
#include <cstdlib>
#include <set>

namespace concur::script {
namespace {

constexpr int kMaxDepth = 32;

bool parse_integer(const std::string &text, lua_Integer &out) {
  if (text.empty()) return false;
  char *end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  out = static_cast<lua_Integer>(v);
  return true;
}

bool parse_number(const std::string &text, lua_Number &out) {
  if (text.empty() || text == "nan" || text == "inf") return false;
  char *end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (errno != 0 || *end != '\0') return false;
  out = v;
  return true;
}

std::string copy(lua_State *from, int index, lua_State *to, int depth,
                 std::set<const void *> &open);

// Key by key; `open` holds the tables being copied, so one met again inside
// itself is a cycle.
std::string copy_table(lua_State *from, int index, lua_State *to, int depth,
                       std::set<const void *> &open) {
  const void *table = lua_topointer(from, index);
  if (depth >= kMaxDepth || !open.insert(table).second) {
    lua_pushnil(to);
    return depth >= kMaxDepth ? "tables nested deeper than 32 levels cannot be copied"
                              : "a table that contains itself cannot be copied";
  }
  index = lua_absindex(from, index);
  const int top = lua_gettop(to);
  lua_newtable(to);
  lua_pushnil(from);
  while (lua_next(from, index) != 0) {
    std::string why = copy(from, -2, to, depth + 1, open);  // key
    if (why.empty()) why = copy(from, -1, to, depth + 1, open);
    if (!why.empty()) {
      lua_pop(from, 2);
      lua_settop(to, top);
      lua_pushnil(to);
      return why;
    }
    lua_rawset(to, -3);
    lua_pop(from, 1);
  }
  open.erase(table);
  return {};
}

std::string copy(lua_State *from, int index, lua_State *to, int depth,
                 std::set<const void *> &open) {
  switch (lua_type(from, index)) {
    case LUA_TNIL:
      lua_pushnil(to);
      return {};
    case LUA_TBOOLEAN:
      lua_pushboolean(to, lua_toboolean(from, index));
      return {};
    case LUA_TNUMBER:
      if (lua_isinteger(from, index))
        lua_pushinteger(to, lua_tointeger(from, index));
      else
        lua_pushnumber(to, lua_tonumber(from, index));
      return {};
    case LUA_TSTRING: {
      size_t size = 0;
      const char *text = lua_tolstring(from, index, &size);
      lua_pushlstring(to, text, size);
      return {};
    }
    case LUA_TTABLE:
      return copy_table(from, index, to, depth, open);
    default:
      lua_pushnil(to);
      return std::string("a ") + luaL_typename(from, index) + " cannot be copied between states";
  }
}

}  // namespace

void push_strings(lua_State *L, const std::vector<std::string> &items) {
  lua_createtable(L, static_cast<int>(items.size()), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
}

void push_scalar_text(lua_State *L, const std::string &text) {
  lua_Integer i = 0;
  lua_Number n = 0;
  if (parse_integer(text, i))
    lua_pushinteger(L, i);
  else if (parse_number(text, n))
    lua_pushnumber(L, n);
  else
    lua_pushlstring(L, text.data(), text.size());
}

void push_row(lua_State *L, const Row &row) {
  lua_createtable(L, 0, static_cast<int>(row.size()));
  for (const auto &[name, value] : row) {
    push_scalar_text(L, value);
    lua_setfield(L, -2, name.c_str());
  }
}

std::string copy_value(lua_State *from, int index, lua_State *to) {
  std::set<const void *> open;
  return copy(from, index, to, 0, open);
}

bool scalar_text(lua_State *L, int index, std::string &text) {
  switch (lua_type(L, index)) {
    case LUA_TBOOLEAN:
      text = lua_toboolean(L, index) ? "true" : "false";
      return true;
    case LUA_TNUMBER:
    case LUA_TSTRING: {
      // lua_tolstring converts a number in place on a copy, never the original.
      lua_pushvalue(L, index);
      size_t size = 0;
      const char *s = lua_tolstring(L, -1, &size);
      text.assign(s, size);
      lua_pop(L, 1);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace concur::script
