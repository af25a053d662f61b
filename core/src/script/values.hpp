// Moving values between C++ and Lua, and between two Lua states (a worker's
// globals read from done()). Functions named push_* leave one value on the
// stack; nothing here raises a Lua error outside a protected call.
#pragma once

#include <string>
#include <utility>
#include <vector>

struct lua_State;

namespace concur::script {

// A row: column names and their values as text (the runs CSV's own), pushed
// as a table whose numeric-looking values are Lua numbers.
using Row = std::vector<std::pair<std::string, std::string>>;

void push_strings(lua_State *L, const std::vector<std::string> &items);
void push_row(lua_State *L, const Row &row);
void push_scalar_text(lua_State *L, const std::string &text);  // a number when it reads as one

// Copies the value at `index` of `from` onto `to`'s stack: nil, booleans,
// numbers, strings and tables of those (nested). Returns an empty string, or
// why the value cannot cross (then `to` holds nil): functions, userdata,
// threads, cycles and tables nested deeper than 32 levels stay where they are.
std::string copy_value(lua_State *from, int index, lua_State *to);

// A scalar as the config's text ("4", "0.05", "true", "inline"); false when
// the value is not a scalar.
bool scalar_text(lua_State *L, int index, std::string &text);

}  // namespace concur::script
