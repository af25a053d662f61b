#include "script/hooks.hpp"

#include <lua.hpp>

#include <algorithm>
#include <fstream>
#include <string>
#include <string_view>

#include "script/api.hpp"

namespace concur::script {
namespace {

constexpr const char *kWorkerMeta = "concur.worker";

struct WorkerRef {
  const WorkerHooks *hooks;  // null once done() has returned
};

// worker:get(name): a copy of the worker state's global `name`.
int worker_get(lua_State *L) {
  auto *ref = static_cast<WorkerRef *>(luaL_checkudata(L, 1, kWorkerMeta));
  const char *name = luaL_checkstring(L, 2);
  if (ref->hooks == nullptr) return luaL_error(L, "worker:get: the run's worker states are gone");
  lua_State *from = ref->hooks->lua();
  lua_getglobal(from, name);
  const std::string why = copy_value(from, -1, L);
  lua_pop(from, 1);
  if (!why.empty()) return luaL_error(L, "worker:get(\"%s\"): %s", name, why.c_str());
  return 1;
}

}  // namespace

// The members worker_index answers: keep the two together.
std::vector<std::string> worker_members() {
  return {":get", ".id"};
}

namespace {

int worker_index(lua_State *L) {
  auto *ref = static_cast<WorkerRef *>(luaL_checkudata(L, 1, kWorkerMeta));
  const std::string key = luaL_checkstring(L, 2);
  if (key == "get") {
    lua_pushcfunction(L, worker_get);
  } else if (key == "id" && ref->hooks != nullptr) {
    lua_pushinteger(L, ref->hooks->id());
  } else {
    lua_pushnil(L);
  }
  return 1;
}

void push_worker(lua_State *L, const WorkerHooks *hooks) {
  auto *ref = static_cast<WorkerRef *>(lua_newuserdatauv(L, sizeof(WorkerRef), 0));
  ref->hooks = hooks;
  if (luaL_newmetatable(L, kWorkerMeta)) {
    lua_pushcfunction(L, worker_index);
    lua_setfield(L, -2, "__index");
  }
  lua_setmetatable(L, -2);
}

void set_number(lua_State *L, const char *key, double value) {
  lua_pushnumber(L, value);
  lua_setfield(L, -2, key);
}

void set_integer(lua_State *L, const char *key, long long value) {
  lua_pushinteger(L, value);
  lua_setfield(L, -2, key);
}

void set_string(lua_State *L, const char *key, const std::string &value) {
  lua_pushlstring(L, value.data(), value.size());
  lua_setfield(L, -2, key);
}

bool assigns_at_line_start(std::string_view line, std::string_view name) {
  const auto skip_blanks = [&line] {
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  };
  skip_blanks();
  if (line.starts_with("_G.")) line.remove_prefix(3);
  if (!line.starts_with(name)) return false;
  line.remove_prefix(name.size());
  skip_blanks();
  return line.starts_with('=') && !line.starts_with("==");
}

// "path:LINE" for the script's last line that assigns `name` at the start of a
// line (`on_page = 5`, `_G.on_page = 5`); just the path when none does. Lua
// tells where a function was defined, not where a value was assigned.
std::string assignment_position(const std::string &path, const std::string &name) {
  std::ifstream in(path);
  std::string line, where = path;
  for (int number = 1; std::getline(in, line); ++number)
    if (assigns_at_line_start(line, name)) where = path + ":" + std::to_string(number);
  return where;
}

}  // namespace

const char *hook_name(Hook hook) {
  static const char *const kNames[] = {"setup", "on_page", "on_response", "on_result", "done"};
  return kNames[static_cast<int>(hook)];
}

std::shared_ptr<const HookScript> HookScript::load(const std::string &path) {
  auto script = std::shared_ptr<HookScript>(new HookScript(path));
  State state;
  state.run_file(path);
  lua_State *L = state.get();
  lua_getglobal(L, "concur");
  lua_getfield(L, -1, "defaults");
  for (int i = 0; i < kHookCount; ++i) {
    const char *name = hook_name(static_cast<Hook>(i));
    lua_getglobal(L, name);
    lua_getfield(L, -2, name);
    const bool is_default = lua_rawequal(L, -1, -2) != 0;
    const int type = lua_type(L, -2);
    lua_pop(L, 2);
    if (type != LUA_TFUNCTION && type != LUA_TNIL)
      throw ScriptError(ScriptError::Phase::load, assignment_position(path, name) + ": " + name +
                                                      " is a " + lua_typename(L, type) +
                                                      "; a hook must be a function");
    script->defined_[i] = type == LUA_TFUNCTION && !is_default;
  }
  return script;
}

HookState::HookState(std::shared_ptr<const HookScript> script) : script_(std::move(script)) {
  state_.run_file(script_->path());
}

bool HookState::push_hook(Hook hook) const {
  if (!script_->defines(hook)) return false;
  lua_getglobal(state_.get(), hook_name(hook));
  if (lua_type(state_.get(), -1) == LUA_TFUNCTION) return true;
  lua_pop(state_.get(), 1);  // the script unset it at run time: the default
  return false;
}

std::string HookState::hook_position(Hook hook) const {
  lua_State *L = state_.get();
  lua_getglobal(L, hook_name(hook));
  lua_Debug ar;
  std::string where = script_->path();
  if (lua_type(L, -1) == LUA_TFUNCTION && lua_getinfo(L, ">S", &ar) && ar.linedefined > 0)
    where = std::string(ar.short_src) + ":" + std::to_string(ar.linedefined);
  else
    lua_pop(L, 1);
  return where;
}

WorkerHooks::WorkerHooks(std::shared_ptr<const HookScript> script, const RunInfo &run,
                         int worker_id)
    : HookState(std::move(script)), id_(worker_id) {
  if (!push_hook(Hook::setup)) return;
  lua_State *L = lua();
  lua_createtable(L, 0, 6);
  set_integer(L, "worker", worker_id);
  set_string(L, "strategy", run.strategy);
  set_string(L, "options", run.options);
  set_string(L, "base_url", run.base_url);
  set_integer(L, "seed", static_cast<long long>(run.seed));
  set_integer(L, "max_pages", run.max_pages);
  state_.call(1, 0, "setup");
}

std::optional<std::vector<std::string>> WorkerHooks::on_page(const PageInfo &page,
                                                             LinkReader read_link) {
  if (!push_hook(Hook::on_page)) return std::nullopt;
  lua_State *L = lua();
  lua_createtable(L, 0, 7);
  set_string(L, "id", page.id);
  set_string(L, "type", page.type);
  push_strings(L, page.links);
  lua_setfield(L, -2, "links");
  push_strings(L, page.link_types);
  lua_setfield(L, -2, "link_types");
  set_number(L, "latency_ms", page.latency_ms);
  set_integer(L, "attempts", page.attempts);
  set_integer(L, "bytes", page.bytes);
  state_.call(1, 1, "on_page");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return std::nullopt;
  }
  auto wrong = [&](const std::string &what) {
    lua_settop(L, 0);
    return ScriptError(ScriptError::Phase::run,
                       hook_position(Hook::on_page) + ": in on_page: " + what);
  };
  if (!lua_istable(L, -1))
    throw wrong(std::string("returned a ") + luaL_typename(L, -1) +
                "; expected a list of links or nil");
  std::vector<std::string> links;
  const auto n = static_cast<lua_Integer>(lua_rawlen(L, -1));
  links.reserve(static_cast<size_t>(n));
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_rawgeti(L, -1, i);
    const char *text = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : nullptr;
    const auto id = text ? read_link(text) : std::nullopt;
    if (!id)
      throw wrong(
          "item " + std::to_string(i) + " of the returned list is " +
          (text ? "'" + std::string(text) + "'" : std::string("a ") + luaL_typename(L, -1)) +
          ", not a link (a page id, /api/<id> or a URL)");
    links.push_back(*id);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return links;
}

void WorkerHooks::on_response(const ResponseInfo &r) {
  if (!push_hook(Hook::on_response)) return;
  lua_State *L = lua();
  lua_createtable(L, 0, 6);
  set_string(L, "page", r.page);
  set_integer(L, "status", r.status);
  set_number(L, "latency_ms", r.latency_ms);
  set_integer(L, "bytes", r.bytes);
  set_integer(L, "attempt", r.attempt);
  lua_pushboolean(L, r.cancelled);
  lua_setfield(L, -2, "cancelled");
  state_.call(1, 0, "on_response");
}

MainHooks::MainHooks(std::shared_ptr<const HookScript> script) : HookState(std::move(script)) {}

Row MainHooks::on_result(const Row &row) {
  if (!push_hook(Hook::on_result)) return {};
  lua_State *L = lua();
  push_row(L, row);
  state_.call(1, 1, "on_result");
  Row extra;
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return extra;
  }
  auto wrong = [&](const std::string &what) {
    lua_settop(L, 0);
    return ScriptError(ScriptError::Phase::run,
                       hook_position(Hook::on_result) + ": in on_result: " + what);
  };
  if (!lua_istable(L, -1))
    throw wrong(std::string("returned a ") + luaL_typename(L, -1) +
                "; expected a table of extra columns {name = value} or nil");
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    std::string value;
    if (lua_type(L, -2) != LUA_TSTRING) throw wrong("a column name is not a string");
    const std::string name = lua_tostring(L, -2);
    if (!scalar_text(L, -1, value))
      throw wrong("column '" + name + "' is a " + luaL_typename(L, -1) +
                  "; a CSV cell takes a string, number or boolean");
    if (std::any_of(row.begin(), row.end(), [&](const auto &c) { return c.first == name; }))
      throw wrong("column '" + name + "' is one of the runs CSV's own columns");
    extra.emplace_back(name, value);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  std::sort(extra.begin(), extra.end());
  return extra;
}

void MainHooks::done(const Row &summary, const std::vector<std::unique_ptr<WorkerHooks>> &workers) {
  if (!push_hook(Hook::done)) return;
  lua_State *L = lua();
  push_row(L, summary);
  // The handles also go in a list of our own, which the script cannot edit:
  // once done returns each is invalidated, so a handle the script stored away
  // errors instead of reading a freed state.
  const int n = static_cast<int>(workers.size());
  lua_createtable(L, n, 0);  // ours
  lua_createtable(L, n, 0);  // summary.workers
  for (int i = 0; i < n; ++i) {
    push_worker(L, workers[static_cast<size_t>(i)].get());
    lua_pushvalue(L, -1);
    lua_rawseti(L, -4, i + 1);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -3, "workers");
  const int list = luaL_ref(L, LUA_REGISTRYINDEX);
  auto invalidate = [&] {
    lua_rawgeti(L, LUA_REGISTRYINDEX, list);
    for (int i = 0; i < n; ++i) {
      lua_rawgeti(L, -1, i + 1);
      if (auto *ref = static_cast<WorkerRef *>(luaL_testudata(L, -1, kWorkerMeta)))
        ref->hooks = nullptr;
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    luaL_unref(L, LUA_REGISTRYINDEX, list);
  };
  try {
    state_.call(1, 0, "done");
  } catch (...) {
    invalidate();
    throw;
  }
  invalidate();
}

}  // namespace concur::script
