// Lua tables as config trees: concur.server{} and concur.run{} take the same
// keys as YAML, turned into config::Node and validated by config::load_tree,
// so a table and a file obey the same rules and give the same messages. Each
// node is located at the Lua line of the call.
#pragma once

#include <lua.hpp>

#include <string>
#include <string_view>

#include "config/tree.hpp"

namespace concur::scenario {

// The table (or scalar) at `index` as a node; keys sorted so that the first
// error reported does not depend on Lua's hash order. ConfigError for what no
// config can hold (a function, a table both list and mapping, ...).
config::Node to_node(lua_State *L, int index, const config::Location &where,
                     const std::string &path);

// The Lua line that called the API function: config errors name it.
config::Location caller(lua_State *L, const std::string &script);

// Argument 1 as a mapping node; ApiError when it is not a table.
config::Node checked_table(lua_State *L, const char *name, const config::Location &where);

void remove_key(config::Node &map, std::string_view key);
config::Node scalar_node(const std::string &text, const config::Location &where);

}  // namespace concur::scenario
