#include "experiment/compute_plan.hpp"

#include <algorithm>

#include "script/kernels.hpp"
#include "server/graph.hpp"

namespace concur::experiment {
namespace {

using compute::ComputeItem;
using server::PageType;

std::string task_key(const config::ComputeWorkload &workload, size_t index) {
  return (workload.name.empty() ? "compute.tasks[" : "compute.workloads." + workload.name + "[") +
         std::to_string(index) + "]";
}

bool takes_type(const config::ComputeTaskSpec &spec, PageType type) {
  if (type != PageType::cpu && type != PageType::core) return false;
  if (spec.types.empty()) return true;
  const std::string name = server::kPageTypeNames[static_cast<size_t>(type)];
  return std::find(spec.types.begin(), spec.types.end(), name) != spec.types.end();
}

std::string type_list(const config::ComputeTaskSpec &spec) {
  if (spec.types.empty()) return "cpu+core";
  std::string out;
  for (const auto &t : spec.types) out += (out.empty() ? "" : "+") + t;
  return out;
}

// The task a puzzle page makes: its chains, link by link, and the ids of the
// links they hide (PROTOCOL.md, "Puzzles").
ComputeItem puzzle_item(const server::Graph &graph, const server::Page &page) {
  const server::Settings &s = graph.settings();
  const bool cpu = page.type == PageType::cpu;
  ComputeItem item;
  item.label = cpu ? "cpu" : "core";
  item.page = page.id;
  item.rule = s.hash_rule;
  item.id_length = s.id_length;
  const size_t per_link = cpu ? 1 : static_cast<size_t>(s.id_length);
  for (const std::string &seed : page.seeds)
    item.chains.push_back({seed, cpu ? s.cpu_iterations : s.core_iterations});
  for (size_t link = 0; link < page.links.size(); ++link) {
    item.groups.push_back(
        {cpu ? compute::Puzzle::cpu : compute::Puzzle::core, link * per_link, per_link});
    item.answers.push_back(graph.page(page.links[link]).id);
  }
  return item;
}

void add_puzzles(const config::ComputeTaskSpec &spec, const std::string &key,
                 const server::Graph &graph, std::vector<ComputeItem> &items) {
  int taken = 0;
  for (const server::Page &page : graph.pages()) {
    if (taken == spec.count) return;
    if (!takes_type(spec, page.type)) continue;
    items.push_back(puzzle_item(graph, page));
    ++taken;
  }
  if (taken < spec.count)
    throw config::ConfigError(spec.where, key + ".count",
                              "the server's graph (seed " + std::to_string(graph.settings().seed) +
                                  ", " + std::to_string(graph.pages().size()) + " pages) has " +
                                  std::to_string(taken) + " " + type_list(spec) + " pages, not " +
                                  std::to_string(spec.count) +
                                  ": lower count, or raise server.pages");
}

ComputeItem kernel_item(const config::ComputeTaskSpec &spec, const std::string &key) {
  ComputeItem item;
  item.label = spec.kernel;
  item.args = spec.args;
  if (auto ref = compute::parse_kernel_ref(spec.kernel)) {
    item.lua_file = ref->file;
    item.lua_function = ref->function;
    if (!script::LuaKernels(ref->file).has(ref->function))
      throw config::ConfigError(spec.where, key + ".kernel",
                                ref->file + " defines no global function '" + ref->function + "'");
    return item;
  }
  const auto kernel = compute::parse_kernel(spec.kernel);
  if (kernel != compute::Kernel::md5_chain) item.builtin = kernel;
  return item;
}

}  // namespace

std::shared_ptr<const std::vector<ComputeItem>> compute_items(
    const config::ComputeWorkload &workload, const server::Graph *graph) {
  auto items = std::make_shared<std::vector<ComputeItem>>();
  for (size_t t = 0; t < workload.tasks.size(); ++t) {
    const auto &spec = workload.tasks[t];
    const std::string key = task_key(workload, t);
    if (spec.kernel == config::kPuzzlesKernel) {
      if (graph == nullptr) throw std::logic_error("compute_items: puzzles need the graph");
      add_puzzles(spec, key, *graph, *items);
      continue;
    }
    const ComputeItem item = kernel_item(spec, key);
    for (int i = 0; i < spec.count; ++i) {
      items->push_back(item);
      if (spec.kernel == "md5_chain")  // seeded by its task's name, "t<index>"
        items->back().chains = {{"t" + std::to_string(items->size() - 1), spec.iterations}};
    }
  }
  return items;
}

std::string describe_compute(const config::ComputeWorkload &workload,
                             const server::Settings &server) {
  std::string out;
  for (const auto &t : workload.tasks) {
    if (!out.empty()) out += ", ";
    out += t.kernel + " x" + std::to_string(t.count) + " (";
    if (t.kernel == config::kPuzzlesKernel) {
      out += type_list(t) + " pages of seed " + std::to_string(server.seed) + ", " +
             std::to_string(server.cpu_iterations) + "/" + std::to_string(server.core_iterations) +
             " iterations";
    } else if (t.kernel == "md5_chain") {
      out += std::to_string(t.iterations) + " iterations";
    } else {
      for (size_t i = 0; i < t.args.size(); ++i) out += (i ? " " : "") + t.args[i];
    }
    out += ")";
  }
  return out;
}

}  // namespace concur::experiment
