#include "script/scenario.hpp"

#include <lua.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "config/yaml_tree.hpp"
#include "crawl/experiment_runner.hpp"
#include "plugin/loader.hpp"
#include "results/csv.hpp"
#include "script/api.hpp"
#include "script/hooks.hpp"
#include "script/lua.hpp"
#include "script/values.hpp"
#include "server/graph.hpp"
#include "server/server.hpp"

namespace concur::script {

// What the scenario's API functions share: one per run_scenario().
struct ScenarioContext {
  std::string script;
  ScenarioOptions options;
  std::ostream *log = nullptr;
  bool config_error = false;  // the error being raised is a config error: exit 2
  struct CsvFile {
    std::ofstream out;
    std::vector<std::string> columns;
  };
  std::map<std::string, CsvFile> csv_files;  // by path, as the script wrote it
};

namespace {

constexpr const char *kServerMeta = "concur.server";
constexpr const char *kContextKey = "concur.scenario";

struct ServerBox {
  server::Server *server;  // owned; null once stopped
  server::Settings settings;
};

// Thrown by an API function for a mistake in its arguments.
struct ApiError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

ScenarioContext &context_of(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kContextKey);
  auto *context = static_cast<ScenarioContext *>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return *context;
}

// Runs an API function's body, turning C++ exceptions into Lua errors. The
// Lua library is C: a Lua error longjmps, so it is raised only here, once
// every C++ object of the body is gone.
template <typename Body>
int guarded(lua_State *L, const char *name, Body &&body) {
  char message[4096];
  try {
    return body();
  } catch (const config::ConfigError &e) {
    context_of(L).config_error = true;
    std::snprintf(message, sizeof message, "%s: %s%s%s", name, e.key().c_str(),
                  e.key().empty() ? "" : ": ", e.message().c_str());
  } catch (const std::exception &e) {
    std::snprintf(message, sizeof message, "%s: %s", name, e.what());
  }
  return luaL_error(L, "%s", message);
}

// ---- Lua tables as config trees -------------------------------------------

using config::Location;
using config::detail::Entry;
using config::detail::Node;

Node to_node(lua_State *L, int index, const Location &where, const std::string &path);

Node table_to_node(lua_State *L, int index, const Location &where, const std::string &path) {
  index = lua_absindex(L, index);
  std::vector<std::string> names;
  lua_Integer count = 0, largest = 0;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING) {
      names.emplace_back(lua_tostring(L, -1));
    } else if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1) {
      ++count;
      largest = std::max(largest, lua_tointeger(L, -1));
    } else {
      lua_pop(L, 1);
      throw config::ConfigError(where, path,
                                "a key is a " + std::string(luaL_typename(L, -1)) +
                                    "; keys are names (or a list's 1..n)");
    }
  }
  Node node;
  node.where = where;
  if (!names.empty() && count > 0)
    throw config::ConfigError(where, path, "a table is either a list or a mapping, not both");
  if (count > 0) {
    if (largest != count) throw config::ConfigError(where, path, "a list has holes");
    node.kind = Node::Kind::list;
    for (lua_Integer i = 1; i <= count; ++i) {
      lua_rawgeti(L, index, i);
      node.items.push_back(to_node(L, -1, where, path + "[" + std::to_string(i - 1) + "]"));
      lua_pop(L, 1);
    }
    return node;
  }
  node.kind = Node::Kind::map;
  std::sort(names.begin(), names.end());  // Lua's order varies; messages must not
  for (const auto &name : names) {
    lua_getfield(L, index, name.c_str());
    node.entries.push_back(
        Entry{name, where, {}, to_node(L, -1, where, config::detail::child_path(path, name))});
    lua_pop(L, 1);
  }
  return node;
}

Node to_node(lua_State *L, int index, const Location &where, const std::string &path) {
  if (lua_istable(L, index)) return table_to_node(L, index, where, path);
  Node node;
  node.where = where;
  if (lua_isnil(L, index)) return node;
  if (!scalar_text(L, index, node.text))
    throw config::ConfigError(
        where, path, std::string("a ") + luaL_typename(L, index) + " is not a config value");
  node.kind = Node::Kind::scalar;
  return node;
}

// Where the calling Lua code is: config errors name this line.
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

// ---- concur.server ---------------------------------------------------------

int server_gc(lua_State *L) {
  auto *box = static_cast<ServerBox *>(luaL_checkudata(L, 1, kServerMeta));
  delete box->server;
  box->server = nullptr;
  box->settings.~Settings();
  return 0;
}

int server_stop(lua_State *L) {
  auto *box = static_cast<ServerBox *>(luaL_checkudata(L, 1, kServerMeta));
  delete box->server;
  box->server = nullptr;
  return 0;
}

}  // namespace

// The members server_index answers: keep the two together.
std::vector<std::string> server_members() {
  return {":stop", ".base_url", ".seed", ".pages", ".delay_scale"};
}

namespace {

int server_index(lua_State *L) {
  auto *box = static_cast<ServerBox *>(luaL_checkudata(L, 1, kServerMeta));
  const std::string key = luaL_checkstring(L, 2);
  if (key == "stop") {
    lua_pushcfunction(L, server_stop);
  } else if (key == "base_url" && box->server != nullptr) {
    lua_pushstring(L, box->server->base_url().c_str());
  } else if (key == "seed") {
    lua_pushinteger(L, static_cast<lua_Integer>(box->settings.seed));
  } else if (key == "pages") {
    lua_pushinteger(L, box->settings.pages);
  } else if (key == "delay_scale") {
    lua_pushnumber(L, box->settings.delay_scale);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

// concur.server{seed = 7, pages = 300, ...}: the `server:` section's keys.
int api_server(lua_State *L) {
  return guarded(L, "concur.server", [L] {
    ScenarioContext &context = context_of(L);
    const Location where = caller(L, context.script);
    Node settings = checked_table(L, "concur.server", where);
    if (settings.find("base_url"))
      throw config::ConfigError(where, "base_url",
                                "concur.server starts a server; to crawl a running one, give "
                                "concur.run{server = {base_url = ...}}");
    Node root;
    root.kind = Node::Kind::map;
    root.where = where;
    root.entries.push_back(Entry{"server", where, {}, std::move(settings)});
    Node strategy;  // the validator wants one: any will do
    strategy.kind = Node::Kind::map;
    strategy.entries.push_back(
        Entry{"plugin", where, {}, Node{Node::Kind::scalar, "sequential", {}, {}, where, {}}});
    Node strategies;
    strategies.kind = Node::Kind::list;
    strategies.items.push_back(std::move(strategy));
    root.entries.push_back(Entry{"strategies", where, {}, std::move(strategies)});
    const config::Experiment experiment = config::detail::load_tree(std::move(root), where.file);
    auto graph = std::make_shared<const server::Graph>(server::Graph::build(experiment.server));
    auto server = std::make_unique<server::Server>(graph);
    server->start();
    *context.log << "concur: demo server on " << server->base_url() << ": "
                 << experiment.server.pages << " pages, seed " << experiment.server.seed
                 << ", delay_scale " << experiment.server.delay_scale << "\n";
    auto *box = static_cast<ServerBox *>(lua_newuserdatauv(L, sizeof(ServerBox), 0));
    new (box) ServerBox{server.release(), experiment.server};
    if (luaL_newmetatable(L, kServerMeta)) {
      lua_pushcfunction(L, server_index);
      lua_setfield(L, -2, "__index");
      lua_pushcfunction(L, server_gc);
      lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return 1;
  });
}

// ---- concur.run ------------------------------------------------------------

// concur.run{server = srv | {...}, crawl = {...}, strategy = {...}, script = ...}:
// one configuration, one measured run, its row as a table.
int api_run(lua_State *L) {
  return guarded(L, "concur.run", [L] {
    ScenarioContext &context = context_of(L);
    const Location where = caller(L, context.script);
    if (!lua_istable(L, 1)) throw ApiError("expected a table, e.g. concur.run{strategy = {...}}");
    // A server started by concur.server{} stands in for its base_url.
    server::Server *embedded = nullptr;
    lua_getfield(L, 1, "server");
    if (auto *box = static_cast<ServerBox *>(luaL_testudata(L, -1, kServerMeta))) {
      if (box->server == nullptr) throw ApiError("server: that server was stopped");
      embedded = box->server;
      lua_newtable(L);
      lua_pushstring(L, box->server->base_url().c_str());
      lua_setfield(L, -2, "base_url");
      lua_replace(L, -2);
    }
    Node server = to_node(L, -1, where, "server");
    lua_pop(L, 1);
    // The rest of the table, without `server` (a handle is no config value).
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {
      const bool skip =
          lua_type(L, -2) == LUA_TSTRING && std::string_view(lua_tostring(L, -2)) == "server";
      if (skip) {
        lua_pop(L, 1);
        continue;
      }
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, -4);
    }
    Node root = table_to_node(L, -1, where, "");
    lua_pop(L, 1);
    if (server.kind != Node::Kind::null) root.entries.push_back(Entry{"server", where, {}, server});
    for (const char *key : {"output", "repeat", "strategies"})
      if (root.find(key))
        throw config::ConfigError(
            where, key,
            std::string("concur.run runs one configuration once; ") +
                (std::string(key) == "output" ? "write its row with concur.csv(path, row)"
                                              : "loop in Lua for more"));
    if (Entry *strategy = root.find("strategy")) {
      Node list;
      list.kind = Node::Kind::list;
      list.where = where;
      list.items.push_back(std::move(strategy->value));
      remove_key(root, "strategy");
      root.entries.push_back(Entry{"strategies", where, {}, std::move(list)});
    }
    if (!root.find("name")) {
      const std::string stem = std::filesystem::path(context.script).stem().string();
      root.entries.push_back(
          Entry{"name", where, {}, Node{Node::Kind::scalar, stem, {}, {}, where, {}}});
    }
    const config::Experiment experiment =
        config::detail::load_tree(std::move(root), where.file, context.options.overrides);
    const auto runs = crawl::plan(experiment);
    if (runs.size() != 1)
      throw config::ConfigError(where, "strategy",
                                "expands into " + std::to_string(runs.size()) +
                                    " configurations; concur.run runs one (loop in Lua)");
    std::shared_ptr<const HookScript> hooks;
    std::unique_ptr<MainHooks> main;
    if (!experiment.script.empty()) {
      hooks = HookScript::load(experiment.script);
      main = std::make_unique<MainHooks>(hooks);
    }
    std::ostringstream quiet;  // the server's announcements, once per run: not news
    crawl::Target target(experiment, quiet);
    if (embedded == nullptr) embedded = target.embedded();
    crawl::CrawlSettings settings = target.settings();
    settings.hooks = hooks;
    settings.run_info.seed = target.seed();
    for (int w = 0; w < experiment.warmup; ++w) crawl::run_once(runs[0], settings, embedded);
    bool script_failed = false;
    results::RunResult r =
        crawl::measure(runs[0], settings, embedded, main.get(), *context.log, &script_failed);
    r.experiment = experiment.name;
    r.repeat = 1;
    r.seed = target.seed();
    if (script_failed) throw ApiError(r.error);
    script::Row row = crawl::row_of(r);
    row.insert(row.end(), r.extra_columns.begin(), r.extra_columns.end());
    push_row(L, row);
    return 1;
  });
}

// ---- concur.csv ------------------------------------------------------------

// concur.csv(path, row): the runs CSV's columns, then any other keys of the
// first row written to `path` (sorted). The first call truncates the file.
int api_csv(lua_State *L) {
  return guarded(L, "concur.csv", [L] {
    ScenarioContext &context = context_of(L);
    if (lua_type(L, 1) != LUA_TSTRING || !lua_istable(L, 2))
      throw ApiError("expected (path, row), e.g. concur.csv(\"results/sweep.csv\", r)");
    const std::string path = lua_tostring(L, 1);
    std::vector<std::string> keys;
    lua_pushnil(L);
    while (lua_next(L, 2) != 0) {
      lua_pop(L, 1);
      if (lua_type(L, -1) != LUA_TSTRING) throw ApiError("row keys must be column names");
      keys.emplace_back(lua_tostring(L, -1));
    }
    auto [it, fresh] = context.csv_files.try_emplace(path);
    auto &file = it->second;
    const std::vector<std::string> standard = results::csv_header();
    if (fresh) {
      std::filesystem::path p(path);
      std::error_code ec;
      if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
      file.out.open(p, std::ios::out | std::ios::trunc);
      if (!file.out) {
        context.csv_files.erase(it);
        throw ApiError("cannot write " + path);
      }
      file.columns = standard;
      std::vector<std::string> extra;
      for (const auto &k : keys)
        if (std::find(standard.begin(), standard.end(), k) == standard.end()) extra.push_back(k);
      std::sort(extra.begin(), extra.end());
      file.columns.insert(file.columns.end(), extra.begin(), extra.end());
      for (size_t i = 0; i < file.columns.size(); ++i)
        file.out << (i ? "," : "") << results::csv_escape(file.columns[i]);
      file.out << '\n';
    }
    for (const auto &k : keys)
      if (std::find(file.columns.begin(), file.columns.end(), k) == file.columns.end())
        throw ApiError(path + ": column '" + k +
                       "' is new; the first row written fixed the columns");
    for (size_t i = 0; i < file.columns.size(); ++i) {
      std::string cell;
      lua_getfield(L, 2, file.columns[i].c_str());
      if (!lua_isnil(L, -1) && !scalar_text(L, -1, cell)) {
        lua_pop(L, 1);
        throw ApiError(path + ": column '" + file.columns[i] + "' is not a scalar");
      }
      lua_pop(L, 1);
      file.out << (i ? "," : "") << results::csv_escape(cell);
    }
    file.out << '\n';
    file.out.flush();
    if (!file.out) throw ApiError("cannot write " + path);
    return 0;
  });
}

// ---- concur.plugins --------------------------------------------------------

int api_plugins(lua_State *L) {
  return guarded(L, "concur.plugins", [L] {
    const plugin::Discovery found = plugin::discover();
    lua_createtable(L, static_cast<int>(found.plugins.size()), 0);
    for (size_t i = 0; i < found.plugins.size(); ++i) {
      const auto &p = *found.plugins[i];
      lua_createtable(L, 0, 4);
      lua_pushstring(L, p.name().c_str());
      lua_setfield(L, -2, "name");
      lua_pushstring(L, p.descriptor().version ? p.descriptor().version : "");
      lua_setfield(L, -2, "version");
      lua_pushstring(L, p.descriptor().description ? p.descriptor().description : "");
      lua_setfield(L, -2, "description");
      lua_pushstring(L, p.file().c_str());
      lua_setfield(L, -2, "path");
      lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
    }
    return 1;
  });
}

}  // namespace

void open_scenario_api(lua_State *L, ScenarioContext &context) {
  lua_pushlightuserdata(L, &context);
  lua_setfield(L, LUA_REGISTRYINDEX, kContextKey);
  lua_getglobal(L, "concur");
  const luaL_Reg functions[] = {{"run", api_run},
                                {"server", api_server},
                                {"csv", api_csv},
                                {"plugins", api_plugins},
                                {nullptr, nullptr}};
  luaL_setfuncs(L, functions, 0);
  lua_pop(L, 1);
}

std::vector<std::string> exposed_api() {
  ScenarioContext context;
  State state;
  lua_State *L = state.get();
  open_scenario_api(L, context);
  std::vector<std::string> api;
  auto keys = [L](const std::string &prefix, std::vector<std::string> &out) {
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
      lua_pop(L, 1);
      if (lua_type(L, -1) == LUA_TSTRING) out.push_back(prefix + lua_tostring(L, -1));
    }
  };
  lua_getglobal(L, "concur");
  keys("concur.", api);
  lua_getfield(L, -1, "defaults");
  keys("hook ", api);
  lua_pop(L, 2);
  for (const auto &m : server_members()) api.push_back("server" + m);
  for (const auto &m : worker_members()) api.push_back("worker" + m);
  for (const auto &name : kernel_api()) api.push_back("concur." + name);
  std::sort(api.begin(), api.end());
  return api;
}

int check_scenario(const std::string &path, std::ostream &out, std::ostream &log) {
  State state;
  try {
    state.load_file(path);
  } catch (const ScriptError &e) {
    log << "concur: " << e.what() << "\n";
    return 2;
  }
  out << path << ": compiles. A scenario decides its runs as it goes: run it to see them.\n";
  return 0;
}

int run_scenario(const std::string &path, const ScenarioOptions &options, std::ostream &log) {
  ScenarioContext context;
  context.script = path;
  context.options = options;
  context.log = &log;
  State state;
  open_scenario_api(state.get(), context);
  try {
    state.load_file(path);
    state.call(0, 0, "");
  } catch (const ScriptError &e) {
    log << "concur: " << e.what() << "\n";
    const bool usage = e.phase() == ScriptError::Phase::load || context.config_error;
    if (!usage && !e.traceback().empty()) log << e.traceback() << "\n";
    return usage ? 2 : 1;
  }
  return 0;
}

}  // namespace concur::script
