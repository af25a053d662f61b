// The loader against fixture plugins: each refusal names the file and says why.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "plugin/host.hpp"
#include "plugin/loader.hpp"

using concur::plugin::Plugin;
using concur::plugin::PluginError;

namespace {
std::string fixture(const std::string &name) {
  return std::string(CONCUR_FIXTURE_DIR) + "/fixture_" + name + ".so";
}
}  // namespace

TEST_CASE("a good plugin loads with its descriptor", "[plugin]") {
  auto p = Plugin::load(fixture("good"));
  CHECK(p->name() == "fixture");
  CHECK(p->descriptor().abi_version == CONCUR_ABI_VERSION);
  CHECK(p->options().empty());
}

TEST_CASE("declared options are visible", "[plugin]") {
  auto p = Plugin::load(fixture("options"));
  REQUIRE(p->options().size() == 4);
  CHECK(std::string(p->options()[0].name) == "count");
  CHECK(std::string(p->options()[3].choices) == "a|b");
}

TEST_CASE("a wrong ABI version is refused with both versions", "[plugin]") {
  const auto file = fixture("wrong_version");
  CHECK_THROWS_WITH(Plugin::load(file), Catch::Contains(file) &&
                                            Catch::Contains("ABI version 99") &&
                                            Catch::Contains("ABI version 1"));
}

TEST_CASE("a missing entry point is refused naming the symbol", "[plugin]") {
  const auto file = fixture("missing_symbol");
  CHECK_THROWS_WITH(Plugin::load(file),
                    Catch::Contains(file) && Catch::Contains("missing symbol concur_plugin_entry"));
}

TEST_CASE("a failing init is refused with the plugin's reason", "[plugin]") {
  const auto file = fixture("failing_init");
  CHECK_THROWS_WITH(Plugin::load(file), Catch::Contains(file) &&
                                            Catch::Contains("failed to initialise") &&
                                            Catch::Contains("needs a GPU it cannot find"));
}

TEST_CASE("a descriptor smaller than v1's is refused", "[plugin]") {
  CHECK_THROWS_WITH(Plugin::load(fixture("small_struct")),
                    Catch::Contains("descriptor is 16 bytes"));
}

TEST_CASE("a descriptor built before serve() was appended still loads, serving nothing",
          "[plugin]") {
  auto p = Plugin::load(fixture("v1_size"));
  CHECK(p->descriptor().struct_size < sizeof(concur_plugin));
  CHECK(p->serve() == nullptr);
  CHECK(Plugin::load(fixture("good"))->serve() == nullptr);  // full size, serve NULL
}

TEST_CASE("a plugin built against the header before minor versions loads", "[plugin][abi]") {
  // old_header_fixture.c: positional tables, CONCUR_PLUGIN_HEADER, 0, -1 bounds.
  auto p = Plugin::load(fixture("old_header"));
  CHECK(p->name() == "fixture");
  CHECK(p->descriptor().abi_version == CONCUR_ABI_VERSION);
  CHECK(p->descriptor().struct_size == sizeof(concur_plugin));  // the layout is the same
  CHECK(p->serve() == nullptr);
  REQUIRE(p->options().size() == 1);
  CHECK(std::string(p->options()[0].name) == "lanes");
  CHECK(p->options()[0].min > p->options()[0].max);  // unbounded, as 0, -1 always meant
}

TEST_CASE("CONCUR_HOST_HAS tells a table's members by its size", "[plugin][abi]") {
  const concur_host &host = concur::plugin::host_table();
  CHECK(host.struct_size == sizeof(concur_host));
  CHECK(CONCUR_HOST_HAS(&host, solve_tasks));   // 1.1
  CHECK(CONCUR_HOST_HAS(&host, run_error));     // 1.2
  CHECK(CONCUR_HOST_HAS(&host, task_urgency));  // 1.3, the last member
  // A 1.0 host's table ends at loop_in_flight; a 1.1 host's at solve_tasks.
  concur_host older = host;
  older.struct_size = offsetof(concur_host, solve_tasks);
  CHECK(CONCUR_HOST_HAS(&older, loop_in_flight));
  CHECK_FALSE(CONCUR_HOST_HAS(&older, solve_tasks));
  older.struct_size = offsetof(concur_host, encode_task);
  CHECK(CONCUR_HOST_HAS(&older, solve_tasks));
  CHECK_FALSE(CONCUR_HOST_HAS(&older, encode_task));
  CHECK_FALSE(CONCUR_HOST_HAS(&older, run_error));
  // A 1.2 host's table ends at run_error.
  older.struct_size = offsetof(concur_host, task_urgency);
  CHECK(CONCUR_HOST_HAS(&older, run_error));
  CHECK_FALSE(CONCUR_HOST_HAS(&older, task_urgency));
}

TEST_CASE("CONCUR_PLUGIN_HAS tells a descriptor's members by its size", "[plugin][abi]") {
  auto v1_0 = Plugin::load(fixture("v1_size"));
  CHECK(CONCUR_PLUGIN_HAS(&v1_0->descriptor(), run));
  CHECK_FALSE(CONCUR_PLUGIN_HAS(&v1_0->descriptor(), serve));
  CHECK(CONCUR_PLUGIN_HAS(&Plugin::load(fixture("good"))->descriptor(), serve));
}

TEST_CASE("a file that is no shared object is refused", "[plugin]") {
  const std::string file = std::string(CONCUR_FIXTURE_DIR) + "/not_a_plugin.so";
  CHECK_THROWS_WITH(Plugin::load(file), Catch::Contains(file) && Catch::Contains("cannot load"));
  CHECK_THROWS_AS(Plugin::load("/nonexistent/x.so"), PluginError);
}

TEST_CASE("discovery lists good plugins and reports the bad ones", "[plugin]") {
  auto found = concur::plugin::discover({CONCUR_FIXTURE_DIR});
  REQUIRE(found.plugins.size() == 1);  // every good fixture is named "fixture": first wins
  CHECK(found.plugins[0]->name() == "fixture");
  CHECK(found.problems.size() ==
        5);  // wrong_version missing_symbol failing_init small_struct not_a_plugin
}

TEST_CASE("the built sequential plugin is found by name", "[plugin]") {
  setenv("CONCUR_PLUGIN_PATH", CONCUR_BUILD_DIR "/plugins", 1);
  auto p = concur::plugin::find("sequential");
  CHECK(p->name() == "sequential");
  CHECK_THROWS_WITH(
      concur::plugin::find("no_such_strategy"),
      Catch::Contains("unknown plugin 'no_such_strategy'") && Catch::Contains("sequential"));
  unsetenv("CONCUR_PLUGIN_PATH");
}
