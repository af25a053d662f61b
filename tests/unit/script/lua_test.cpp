// The Lua core: errors that name the script line, values that cross states.
#include <catch2/catch.hpp>

#include <lua.hpp>

#include "crawl/page.hpp"
#include "script/hooks.hpp"
#include "script/lua.hpp"
#include "script/values.hpp"
#include "script_files.hpp"

using namespace concur;
using script::ScriptError;

TEST_CASE("a syntax error is a load error naming file and line", "[script]") {
  test::ScriptFiles files;
  const auto path = files.write("broken.lua", "local x = 1\nfunction f(\n");
  script::State state;
  try {
    state.run_file(path);
    FAIL("no error");
  } catch (const ScriptError &e) {
    CHECK(e.phase() == ScriptError::Phase::load);
    CHECK_THAT(e.what(), Catch::StartsWith(path + ":3:"));
  }
}

TEST_CASE("a runtime error names the line and the hook, with a traceback", "[script]") {
  test::ScriptFiles files;
  const auto path = files.write("f.lua", "function f(t)\n  return t.x.y\nend\n");
  script::State state;
  state.run_file(path);
  lua_getglobal(state.get(), "f");
  lua_newtable(state.get());
  try {
    state.call(1, 1, "on_page");
    FAIL("no error");
  } catch (const ScriptError &e) {
    CHECK(e.phase() == ScriptError::Phase::run);
    CHECK_THAT(e.what(), Catch::StartsWith(path + ":2: in on_page: attempt to index a nil"));
    CHECK_THAT(e.traceback(), Catch::Contains("stack traceback"));
  }
  CHECK(lua_gettop(state.get()) == 0);  // nothing left on the stack
}

TEST_CASE("an error raised in a C function is placed at the Lua line that called it", "[script]") {
  test::ScriptFiles files;
  const auto path = files.write("m.lua", "\n\nconcur.merge(5, 'x')\n");
  script::State state;
  try {
    state.run_file(path);
    FAIL("no error");
  } catch (const ScriptError &e) {
    CHECK_THAT(e.what(), Catch::StartsWith(path + ":3:") &&
                             Catch::Contains("expected the list summary.workers"));
  }
}

TEST_CASE("values cross between states: scalars and nested tables, not functions or cycles",
          "[script]") {
  script::State a, b;
  lua_State *from = a.get();
  lua_State *to = b.get();
  luaL_dostring(from, "t = {1, 2.5, 'x', true, nested = {deep = {n = 3}}}");
  lua_getglobal(from, "t");
  CHECK(script::copy_value(from, -1, to).empty());
  lua_setglobal(to, "t");
  CHECK(luaL_dostring(to,
                      "assert(t[1] == 1 and math.type(t[1]) == 'integer' and t[2] == 2.5 "
                      "and t[3] == 'x' and t[4] == true and t.nested.deep.n == 3)") == LUA_OK);

  luaL_dostring(from, "f = {fn = print}");
  lua_getglobal(from, "f");
  CHECK_THAT(script::copy_value(from, -1, to), Catch::Contains("function"));
  CHECK(lua_isnil(to, -1));
  luaL_dostring(from, "c = {}; c.self = c");
  lua_getglobal(from, "c");
  CHECK_THAT(script::copy_value(from, -1, to), Catch::Contains("contains itself"));
  // A table reached twice without a cycle is fine.
  luaL_dostring(from, "s = {}; d = {a = s, b = s}");
  lua_getglobal(from, "d");
  CHECK(script::copy_value(from, -1, to).empty());
}

TEST_CASE("a hooks script is checked once: hooks must be functions", "[script]") {
  test::ScriptFiles files;
  auto ok = script::HookScript::load(files.write("ok.lua", "function on_page(p) end\n"));
  CHECK(ok->defines(script::Hook::on_page));
  CHECK_FALSE(ok->defines(script::Hook::done));  // the prelude's default is no definition
  CHECK_FALSE(ok->defines(script::Hook::setup));
  CHECK_THROWS_WITH(script::HookScript::load(files.write("n.lua", "done = 5\n")),
                    Catch::Contains("n.lua:1: done is a number; a hook must be a function"));
  // The line that assigned it, the last one that did, named.
  CHECK_THROWS_WITH(script::HookScript::load(
                        files.write("m.lua", "local x = 1\non_page = nil\n  on_page = 'x'\n")),
                    Catch::Contains("m.lua:3: on_page is a string"));
  CHECK_THROWS_WITH(
      script::HookScript::load(files.write("c.lua", "if 1 == 1 then\n  _G.setup = {} end\n")),
      Catch::Contains("c.lua:2: setup is a table"));
  CHECK_THROWS_WITH(script::HookScript::load(files.path("missing.lua")),
                    Catch::Contains("cannot open"));
}

TEST_CASE("on_page's answer is checked: a list of links, or nil", "[script]") {
  test::ScriptFiles files;
  const std::vector<std::string> links = {"ab12", "cd34"}, types = {"regular", ""};
  const std::string id = "ef56", type = "regular";
  const script::PageInfo page{id, type, links, types, 12.5, 2, 300};
  auto run = [&](const std::string &body) {
    auto s = script::HookScript::load(
        files.write("p.lua", "function on_page(page)\n" + body + "\nend\n"));
    script::WorkerHooks hooks(s, {}, 0);
    return hooks.on_page(page, crawl::link_to_id);
  };
  CHECK_FALSE(run("return nil").has_value());
  CHECK(run("return {page.links[2], '/api/0a0a', 'http://127.0.0.1:1/api/1b1b'}") ==
        std::vector<std::string>{"cd34", "0a0a", "1b1b"});
  CHECK(run("return {}")->empty());
  CHECK(run("assert(page.id == 'ef56' and page.type == 'regular' and page.latency_ms == 12.5\n"
            "  and page.attempts == 2 and page.bytes == 300 and #page.links == 2\n"
            "  and page.link_types[1] == 'regular' and page.link_types[2] == '')") == std::nullopt);
  CHECK_THROWS_WITH(run("return 5"), Catch::Contains(":1: in on_page: returned a number"));
  CHECK_THROWS_WITH(run("return {'ab12', 7}"),
                    Catch::Contains("in on_page: item 2 of the returned list is a number"));
}

TEST_CASE("setup is told the run and its worker", "[script]") {
  test::ScriptFiles files;
  auto s = script::HookScript::load(files.write("s.lua", "function setup(run) info = run end\n"));
  script::WorkerHooks hooks(s, {"threads", "workers=4", "http://127.0.0.1:9", 7, 50}, 3);
  CHECK(luaL_dostring(hooks.lua(),
                      "assert(info.worker == 3 and info.strategy == 'threads' and "
                      "info.options == 'workers=4' and info.seed == 7 and "
                      "info.max_pages == 50 and "
                      "info.base_url == 'http://127.0.0.1:9')") == LUA_OK);
}

TEST_CASE("on_result adds columns; it may not replace the standard ones", "[script]") {
  test::ScriptFiles files;
  const script::Row row = {{"strategy", "threads"}, {"pages_ok", "12"}};
  auto result = [&](const std::string &body) {
    auto s = script::HookScript::load(
        files.write("r.lua", "function on_result(row)\n" + body + "\nend\n"));
    script::MainHooks main(s);
    return main.on_result(row);
  };
  CHECK(result("return {b = row.pages_ok * 2, a = 'x', c = true}") ==
        script::Row{{"a", "x"}, {"b", "24"}, {"c", "true"}});
  CHECK(result("return nil").empty());
  CHECK_THROWS_WITH(result("return {pages_ok = 1}"),
                    Catch::Contains("column 'pages_ok' is one of the runs CSV's own columns"));
  CHECK_THROWS_WITH(result("return {t = {}}"), Catch::Contains("column 't' is a table"));
}

TEST_CASE("done reads every worker's globals, and the handles die with the run", "[script]") {
  test::ScriptFiles files;
  auto s = script::HookScript::load(files.write("d.lua", R"(
counts = {}
function setup(run) counts.pages = run.worker * 10 end
function done(summary)
  total = concur.merge(summary.workers, "counts").pages
  ids = summary.workers[1].id + summary.workers[2].id
  kept = summary.workers[1]
end
)"));
  std::vector<std::unique_ptr<script::WorkerHooks>> workers;
  workers.push_back(std::make_unique<script::WorkerHooks>(s, script::RunInfo{}, 1));
  workers.push_back(std::make_unique<script::WorkerHooks>(s, script::RunInfo{}, 2));
  script::MainHooks main(s);
  main.done({{"strategy", "threads"}}, workers);
  CHECK(luaL_dostring(main.lua(), "assert(total == 30 and ids == 3)") == LUA_OK);
  // A handle kept past done() refuses to read the (soon freed) worker state.
  CHECK(luaL_dostring(main.lua(), "return kept:get('counts')") != LUA_OK);
  CHECK_THAT(lua_tostring(main.lua(), -1), Catch::Contains("worker states are gone"));
}
