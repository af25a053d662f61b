// concur.run{server = srv | {...}, crawl = {...}, strategy = {...}, script = ...}:
// one configuration, one measured run (experiment::Session::run_single, as
// `concur run` does it), its row as a table.
#include <filesystem>
#include <sstream>

#include "config/tree.hpp"
#include "experiment/plan.hpp"
#include "experiment/row.hpp"
#include "experiment/session.hpp"
#include "scenario/context.hpp"
#include "scenario/lua_config.hpp"
#include "script/values.hpp"
#include "server/server.hpp"

namespace concur::scenario {
namespace {

using config::Entry;
using config::Location;
using config::Node;

// The table's `server`: a concur.server{} handle stands in for its base_url
// (and is returned in *embedded); any other value is the server section.
Node server_node(lua_State *L, const Location &where, server::Server **embedded) {
  lua_getfield(L, 1, "server");
  if ((*embedded = server_of(L, -1)) != nullptr) {
    lua_newtable(L);
    lua_pushstring(L, (*embedded)->base_url().c_str());
    lua_setfield(L, -2, "base_url");
    lua_replace(L, -2);
  }
  Node server = to_node(L, -1, where, "server");
  lua_pop(L, 1);
  return server;
}

// The rest of the table, without `server` (a handle is no config value).
Node rest_node(lua_State *L, const Location &where) {
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, 1) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING && std::string_view(lua_tostring(L, -2)) == "server") {
      lua_pop(L, 1);
      continue;
    }
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, -4);
  }
  Node root = to_node(L, -1, where, "");
  lua_pop(L, 1);
  return root;
}

// The config of one configuration: `strategy` is the one-item `strategies`,
// and the experiment is named after the script unless the table names it.
Node run_config(Node root, Node server, const Location &where, const std::string &script) {
  if (server.kind != Node::Kind::null) root.entries.push_back(Entry{"server", where, {}, server});
  for (const std::string key : {"output", "repeat", "strategies"})
    if (root.find(key))
      throw config::ConfigError(
          where, key,
          "concur.run runs one configuration once; " +
              std::string(key == "output" ? "write its row with concur.csv(path, row)"
                                          : "loop in Lua for more"));
  if (Entry *strategy = root.find("strategy")) {
    Node list;
    list.kind = Node::Kind::list;
    list.where = where;
    list.items.push_back(std::move(strategy->value));
    remove_key(root, "strategy");
    root.entries.push_back(Entry{"strategies", where, {}, std::move(list)});
  }
  if (!root.find("name"))
    root.entries.push_back(Entry{
        "name", where, {}, scalar_node(std::filesystem::path(script).stem().string(), where)});
  return root;
}

results::RunResult run_one(const config::Experiment &experiment, const Location &where,
                           server::Server *embedded, std::ostream &log) {
  const auto runs = experiment::plan(experiment);
  if (runs.size() != 1)
    throw config::ConfigError(where, "strategy",
                              "expands into " + std::to_string(runs.size()) +
                                  " configurations; concur.run runs one (loop in Lua)");
  experiment::Session session(experiment, log);
  std::ostringstream quiet;  // the server's announcements, once per run: not news
  session.open(quiet, embedded);
  session.warm_up(runs);
  results::RunResult r = session.run_single(runs[0], 1);
  if (session.script_failed()) throw ApiError(r.error);
  return r;
}

}  // namespace

int api_run(lua_State *L) {
  return guarded(L, "concur.run", [L] {
    Context &context = context_of(L);
    const Location where = caller(L, context.script);
    if (!lua_istable(L, 1)) throw ApiError("expected a table, e.g. concur.run{strategy = {...}}");
    server::Server *embedded = nullptr;
    Node server = server_node(L, where, &embedded);
    Node root = run_config(rest_node(L, where), std::move(server), where, context.script);
    const config::Experiment experiment =
        config::load_tree(std::move(root), where.file, context.options.overrides);
    const results::RunResult r = run_one(experiment, where, embedded, *context.log);
    script::Row row = experiment::row_of(r);
    row.insert(row.end(), r.extra_columns.begin(), r.extra_columns.end());
    script::push_row(L, row);
    return 1;
  });
}

}  // namespace concur::scenario
