// The Lua surface script/ defines, for scenario::exposed_api(), which lists
// it all so that docs/lua.md can be checked against it.
#pragma once

#include <string>
#include <vector>

namespace concur::script {

// The members summary.workers[i]'s __index answers, as ":method" or ".field"
// (script/hooks.cpp).
std::vector<std::string> worker_members();
// What a Lua kernel's state adds to its concur table (script/kernels.cpp).
std::vector<std::string> kernel_api();

}  // namespace concur::script
