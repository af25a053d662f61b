// The scenario API: concur.run, concur.server, concur.csv and concur.plugins,
// added to a state's `concur` table.
#pragma once

#include <lua.hpp>

namespace concur::scenario {

struct Context;
void open_api(lua_State *L, Context &context);

}  // namespace concur::scenario
