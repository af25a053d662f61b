// concur.server{seed = 7, pages = 300, ...}: a demo server of the scenario's
// own, configured with the `server:` section's keys, and its handle.
#include <memory>

#include "config/tree.hpp"
#include "scenario/context.hpp"
#include "scenario/lua_config.hpp"
#include "server/graph.hpp"
#include "server/server.hpp"

namespace concur::scenario {
namespace {

using config::Entry;
using config::Location;
using config::Node;

constexpr const char *kServerMeta = "concur.server";

struct ServerBox {
  server::Server *server;  // owned; null once stopped
  server::Settings settings;
};

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

// The server's settings, validated as a config's `server:` section (with a
// strategy, which the validator wants: any will do).
server::Settings server_settings(Node settings, const Location &where) {
  if (settings.find("base_url"))
    throw config::ConfigError(where, "base_url",
                              "concur.server starts a server; to crawl a running one, give "
                              "concur.run{server = {base_url = ...}}");
  Node root;
  root.kind = Node::Kind::map;
  root.where = where;
  root.entries.push_back(Entry{"server", where, {}, std::move(settings)});
  Node strategy;
  strategy.kind = Node::Kind::map;
  strategy.entries.push_back(Entry{"plugin", where, {}, scalar_node("sequential", where)});
  Node strategies;
  strategies.kind = Node::Kind::list;
  strategies.items.push_back(std::move(strategy));
  root.entries.push_back(Entry{"strategies", where, {}, std::move(strategies)});
  return config::load_tree(std::move(root), where.file).server;
}

void push_handle(lua_State *L, std::unique_ptr<server::Server> server,
                 const server::Settings &settings) {
  auto *box = static_cast<ServerBox *>(lua_newuserdatauv(L, sizeof(ServerBox), 0));
  new (box) ServerBox{server.release(), settings};
  if (luaL_newmetatable(L, kServerMeta)) {
    lua_pushcfunction(L, server_index);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, server_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
}

}  // namespace

// The members server_index answers: keep the two together.
std::vector<std::string> server_members() {
  return {":stop", ".base_url", ".seed", ".pages", ".delay_scale"};
}

server::Server *server_of(lua_State *L, int index) {
  auto *box = static_cast<ServerBox *>(luaL_testudata(L, index, kServerMeta));
  if (box == nullptr) return nullptr;
  if (box->server == nullptr) throw ApiError("server: that server was stopped");
  return box->server;
}

int api_server(lua_State *L) {
  return guarded(L, "concur.server", [L] {
    Context &context = context_of(L);
    const Location where = caller(L, context.script);
    const server::Settings settings =
        server_settings(checked_table(L, "concur.server", where), where);
    auto graph = std::make_shared<const server::Graph>(server::Graph::build(settings));
    auto server = std::make_unique<server::Server>(graph);
    server->start();
    *context.log << "concur: demo server on " << server->base_url() << ": " << settings.pages
                 << " pages, seed " << settings.seed << ", delay_scale " << settings.delay_scale
                 << "\n";
    push_handle(L, std::move(server), settings);
    return 1;
  });
}

}  // namespace concur::scenario
