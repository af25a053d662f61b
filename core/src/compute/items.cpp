#include "compute/items.hpp"

#include "script/kernels.hpp"

namespace concur::compute {

std::string solve_item(const ComputeItem &item, const WorkUnit &unit, script::LuaKernels *lua) {
  if (!item.chains.empty()) return hash::chain(unit.seed, unit.iterations, item.rule);
  if (item.builtin) return run_kernel(*item.builtin, item.args);
  return lua->call(item.lua_function, item.args);
}

std::string check_answers(const ComputeItem &item, const std::vector<std::string> &results) {
  if (item.answers.empty()) return {};
  const auto found = puzzle_answers(item.groups, results, item.id_length);
  if (found == item.answers) return {};
  auto join = [](const std::vector<std::string> &ids) {
    std::string out;
    for (const auto &id : ids) out += (out.empty() ? "" : ",") + id;
    return out;
  };
  return "its chains reveal " + join(found) + ", but page " + item.page + " links to " +
         join(item.answers);
}

}  // namespace concur::compute
