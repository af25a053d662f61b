#include "scenario/lua_config.hpp"

#include <algorithm>
#include <vector>

#include "scenario/context.hpp"
#include "script/values.hpp"

namespace concur::scenario {
namespace {

using config::ConfigError;
using config::Entry;
using config::Location;
using config::Node;

// The table's string keys, and its list length (1..n, no holes).
struct Keys {
  std::vector<std::string> names;
  lua_Integer count = 0, largest = 0;
};

Keys keys_of(lua_State *L, int index, const Location &where, const std::string &path) {
  Keys keys;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING) {
      keys.names.emplace_back(lua_tostring(L, -1));
    } else if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1) {
      ++keys.count;
      keys.largest = std::max(keys.largest, lua_tointeger(L, -1));
    } else {
      lua_pop(L, 1);
      throw ConfigError(where, path,
                        "a key is a " + std::string(luaL_typename(L, -1)) +
                            "; keys are names (or a list's 1..n)");
    }
  }
  return keys;
}

Node table_to_node(lua_State *L, int index, const Location &where, const std::string &path) {
  index = lua_absindex(L, index);
  Keys keys = keys_of(L, index, where, path);
  Node node;
  node.where = where;
  if (!keys.names.empty() && keys.count > 0)
    throw ConfigError(where, path, "a table is either a list or a mapping, not both");
  if (keys.count > 0) {
    if (keys.largest != keys.count) throw ConfigError(where, path, "a list has holes");
    node.kind = Node::Kind::list;
    for (lua_Integer i = 1; i <= keys.count; ++i) {
      lua_rawgeti(L, index, i);
      node.items.push_back(to_node(L, -1, where, path + "[" + std::to_string(i - 1) + "]"));
      lua_pop(L, 1);
    }
    return node;
  }
  node.kind = Node::Kind::map;
  std::sort(keys.names.begin(), keys.names.end());  // Lua's order varies; messages must not
  for (const auto &name : keys.names) {
    lua_getfield(L, index, name.c_str());
    node.entries.push_back(
        Entry{name, where, {}, to_node(L, -1, where, config::child_path(path, name))});
    lua_pop(L, 1);
  }
  return node;
}

}  // namespace

Node to_node(lua_State *L, int index, const Location &where, const std::string &path) {
  if (lua_istable(L, index)) return table_to_node(L, index, where, path);
  Node node;
  node.where = where;
  if (lua_isnil(L, index)) return node;
  if (!script::scalar_text(L, index, node.text))
    throw ConfigError(where, path,
                      std::string("a ") + luaL_typename(L, index) + " is not a config value");
  node.kind = Node::Kind::scalar;
  return node;
}

Location caller(lua_State *L, const std::string &script) {
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar); ++level) {
    lua_getinfo(L, "Sl", &ar);
    if (ar.currentline > 0) return {ar.short_src, ar.currentline};
  }
  return {script, 0};
}

Node checked_table(lua_State *L, const char *name, const Location &where) {
  if (!lua_istable(L, 1))
    throw ApiError(std::string("expected a table, e.g. ") + name + "{...}, got a " +
                   luaL_typename(L, 1));
  return table_to_node(L, 1, where, "");
}

void remove_key(Node &map, std::string_view key) {
  std::erase_if(map.entries, [key](const Entry &e) { return e.key == key; });
}

Node scalar_node(const std::string &text, const Location &where) {
  return Node{Node::Kind::scalar, text, {}, {}, where, {}};
}

}  // namespace concur::scenario
