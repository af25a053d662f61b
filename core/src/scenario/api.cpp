// concur.csv() and concur.plugins(), and the scenario API as a whole: the
// functions it adds to a state's concur table.
#include <algorithm>
#include <filesystem>

#include "plugin/loader.hpp"
#include "results/csv.hpp"
#include "scenario/api.hpp"
#include "scenario/context.hpp"
#include "script/values.hpp"

namespace concur::scenario {
namespace {

using script::scalar_text;

// ---- concur.csv ------------------------------------------------------------

// The keys of the row table at `row`: column names, in the table's order.
std::vector<std::string> row_keys(lua_State *L, int row) {
  std::vector<std::string> keys;
  lua_pushnil(L);
  while (lua_next(L, row) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING) throw ApiError("row keys must be column names");
    keys.emplace_back(lua_tostring(L, -1));
  }
  return keys;
}

// Truncates `path` and writes the header: the runs CSV's columns, then the
// first row's other keys, sorted. False when the file cannot be opened.
bool start_csv(Context::CsvFile &file, const std::string &path,
               const std::vector<std::string> &keys) {
  std::filesystem::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  file.out.open(p, std::ios::out | std::ios::trunc);
  if (!file.out) return false;
  const std::vector<std::string> standard = results::csv_header();
  file.columns = standard;
  std::vector<std::string> extra;
  for (const auto &k : keys)
    if (std::find(standard.begin(), standard.end(), k) == standard.end()) extra.push_back(k);
  std::sort(extra.begin(), extra.end());
  file.columns.insert(file.columns.end(), extra.begin(), extra.end());
  for (size_t i = 0; i < file.columns.size(); ++i)
    file.out << (i ? "," : "") << results::csv_escape(file.columns[i]);
  file.out << '\n';
  return true;
}

// One line of the row table at `row`, column by column (nil: an empty cell).
void write_row(lua_State *L, int row, Context::CsvFile &file, const std::string &path) {
  for (size_t i = 0; i < file.columns.size(); ++i) {
    std::string cell;
    lua_getfield(L, row, file.columns[i].c_str());
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
}

// concur.csv(path, row): the runs CSV's columns, then any other keys of the
// first row written to `path` (sorted). The first call truncates the file.
int api_csv(lua_State *L) {
  return guarded(L, "concur.csv", [L] {
    Context &context = context_of(L);
    if (lua_type(L, 1) != LUA_TSTRING || !lua_istable(L, 2))
      throw ApiError("expected (path, row), e.g. concur.csv(\"results/sweep.csv\", r)");
    const std::string path = lua_tostring(L, 1);
    const std::vector<std::string> keys = row_keys(L, 2);
    auto [it, fresh] = context.csv_files.try_emplace(path);
    auto &file = it->second;
    if (fresh && !start_csv(file, path, keys)) {
      context.csv_files.erase(it);
      throw ApiError("cannot write " + path);
    }
    for (const auto &k : keys)
      if (std::find(file.columns.begin(), file.columns.end(), k) == file.columns.end())
        throw ApiError(path + ": column '" + k +
                       "' is new; the first row written fixed the columns");
    write_row(L, 2, file, path);
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

void open_api(lua_State *L, Context &context) {
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

}  // namespace concur::scenario
