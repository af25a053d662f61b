// The Lua surface as the code defines it, listed from live states so that
// docs/lua.md can be checked against it (tests/unit/script/docs_test.cpp).
#pragma once

#include <string>
#include <vector>

namespace concur::script {

// "concur.run", "concur.log", ... (the concur table of a scenario state),
// "hook setup", "hook on_page", ... (concur.defaults), and the methods and
// fields of the handles: "server:stop", "server.base_url", "worker:get", ...
std::vector<std::string> exposed_api();  // script/scenario.cpp

// The members each handle's __index answers, as ":method" or ".field".
std::vector<std::string> server_members();  // concur.server{} (script/scenario.cpp)
std::vector<std::string> worker_members();  // summary.workers[i] (script/hooks.cpp)
// What a Lua kernel's state adds to its concur table (script/kernels.cpp).
std::vector<std::string> kernel_api();

}  // namespace concur::script
