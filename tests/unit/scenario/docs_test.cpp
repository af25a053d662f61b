// docs/lua.md against the code: every name in the reference tables is exposed
// by a live Lua state (or a handle's __index), and every exposed name is listed.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <string>

#include "scenario/scenario.hpp"

namespace {

// "| `concur.run{t}` | ..." -> "concur.run"; rows under "### Hooks" get "hook ".
std::set<std::string> documented(const std::string &path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::set<std::string> names;
  std::string line;
  bool reference = false, hooks = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) reference = line == "## Reference";
    if (line.rfind("### ", 0) == 0) hooks = line == "### Hooks";
    if (!reference || line.rfind("| `", 0) != 0) continue;
    const size_t end = line.find('`', 3);
    std::string name = line.substr(3, end - 3);
    name = name.substr(0, name.find_first_of("{("));
    names.insert(hooks ? "hook " + name : name);
  }
  return names;
}

}  // namespace

TEST_CASE("docs/lua.md lists exactly the Lua API the code exposes", "[scenario][docs]") {
  const auto api = concur::scenario::exposed_api();
  const std::set<std::string> exposed(api.begin(), api.end());
  const std::set<std::string> docs = documented(CONCUR_SOURCE_DIR "/docs/lua.md");
  for (const auto &name : exposed) {
    INFO("exposed by the code, missing from docs/lua.md's reference: " << name);
    CHECK(docs.count(name) == 1);
  }
  for (const auto &name : docs) {
    INFO("in docs/lua.md's reference, not exposed by the code: " << name);
    CHECK(exposed.count(name) == 1);
  }
  CHECK(exposed.count("concur.run") == 1);  // the listing itself works
  CHECK(exposed.count("hook on_page") == 1);
}
