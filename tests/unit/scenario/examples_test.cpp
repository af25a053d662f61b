// The examples a newcomer copies start at once: every concur.server{} call in
// the README, docs/lua.md and scripts/*.lua sets small puzzle sizes, and every
// example experiment with an embedded server makes its puzzles in seconds.
// Left out, the sizes are the course's: minutes of puzzle making, then as long
// solving them in every crawl.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/experiment.hpp"
#include "server/graph.hpp"

namespace {

namespace fs = std::filesystem;
const fs::path kSource = CONCUR_SOURCE_DIR;

std::string read(const fs::path &path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> files_in(const fs::path &dir, const std::string &extension) {
  std::vector<fs::path> found;
  for (const auto &entry : fs::directory_iterator(dir))
    if (entry.path().extension() == extension) found.push_back(entry.path());
  return found;
}

// The text of each `concur.server{...}` call (up to its closing brace).
std::vector<std::string> server_calls(const std::string &text) {
  std::vector<std::string> calls;
  for (size_t at = text.find("concur.server{"); at != std::string::npos;
       at = text.find("concur.server{", at + 1)) {
    const size_t end = text.find('}', at);
    calls.push_back(text.substr(at, end == std::string::npos ? std::string::npos : end - at + 1));
  }
  return calls;
}

// ~10 CPU-seconds at ~110 ns a step: more is no example to copy.
constexpr uint64_t kExampleSteps = 100'000'000;

}  // namespace

TEST_CASE("every concur.server{} example sets small puzzle sizes", "[scenario][docs][cost]") {
  std::vector<fs::path> sources = files_in(kSource / "scripts", ".lua");
  sources.push_back(kSource / "README.md");
  sources.push_back(kSource / "docs" / "lua.md");
  size_t seen = 0;
  for (const auto &path : sources) {
    for (const std::string &call : server_calls(read(path))) {
      INFO(path.string() << ": " << call);
      // docs/lua.md's reference names the call without arguments.
      if (call == "concur.server{}" || call == "concur.server{t}") continue;
      ++seen;
      CHECK_THAT(call, Catch::Contains("cpu_iterations") && Catch::Contains("core_iterations"));
    }
  }
  CHECK(seen >= 3);  // the README's, docs/lua.md's and scripts/sweep.lua's
}

TEST_CASE("every example experiment's embedded server makes its puzzles in seconds",
          "[scenario][docs][cost]") {
  // Examples name their scripts relative to the repository, as the README runs them.
  const fs::path was = fs::current_path();
  fs::current_path(kSource);
  size_t embedded = 0;
  for (const auto &path : files_in(kSource / "configs", ".yaml")) {
    INFO(path.string());
    const concur::config::Experiment e = concur::config::load_file(path.string());
    if (e.base_url) continue;  // a running server's puzzles: not made here
    if (e.compute && !e.compute->takes_puzzles()) continue;  // no graph at all
    ++embedded;
    const concur::server::PuzzleCost cost = concur::server::puzzle_cost(e.server);
    INFO(cost.puzzles << " puzzles, " << cost.chain_steps << " md5 steps");
    CHECK(cost.chain_steps <= kExampleSteps);
  }
  fs::current_path(was);
  CHECK(embedded >= 5);
}
