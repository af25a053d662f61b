// The `compute:` section: the tasks of a compute experiment (docs/config.md).
#include <algorithm>
#include <filesystem>

#include "compute/kernels.hpp"
#include "config/sections.hpp"

namespace concur::config::detail {
namespace {

void read_kernel(const Field &f, ComputeTaskSpec &t) {
  t.kernel = f.non_empty_string();
  if (t.kernel == kPuzzlesKernel || compute::parse_kernel(t.kernel)) return;
  std::optional<compute::KernelRef> ref;
  try {
    ref = compute::parse_kernel_ref(t.kernel);
  } catch (const std::exception &e) {
    f.fail(e.what());
  }
  if (!ref) {
    std::string known;
    for (auto name : compute::kernel_names())
      known += std::string(known.empty() ? "" : ", ") + std::string(name);
    f.fail("unknown kernel '" + t.kernel + "': built in are " + known +
           ", or a Lua function lua:FILE#FUNCTION, or puzzles (the server's cpu and core "
           "pages)");
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(ref->file, ec))
    f.fail("no such file: " + ref->file + " (a path relative to the working directory)");
}

void read_args(const Field &f, ComputeTaskSpec &t) {
  const Node &list = f.list();
  for (size_t i = 0; i < list.items.size(); ++i) {
    const Node &item = list.items[i];
    if (item.kind != Node::Kind::scalar)
      fail(item.kind == Node::Kind::null ? f.entry().where : item.where, item.origin,
           f.path() + "[" + std::to_string(i) + "]",
           "expected a scalar, got " + describe_node(item));
    t.args.push_back(item.text);
  }
}

// puzzles: which page types to take, e.g. [cpu] or [cpu, core].
void read_types(const Field &f, ComputeTaskSpec &t) {
  static constexpr std::string_view kTypes[] = {"cpu", "core"};
  const Node &list = f.list();
  if (list.items.empty()) f.expected("a non-empty list of page types: cpu, core");
  for (size_t i = 0; i < list.items.size(); ++i) {
    const Node &item = list.items[i];
    const std::string text = item.kind == Node::Kind::scalar ? item.text : "";
    if (text != kTypes[0] && text != kTypes[1])
      fail(item.kind == Node::Kind::null ? f.entry().where : item.where, item.origin,
           f.path() + "[" + std::to_string(i) + "]",
           "expected cpu or core (the page types with puzzles), got " + describe_node(item));
    if (std::find(t.types.begin(), t.types.end(), text) == t.types.end()) t.types.push_back(text);
  }
}

const KeyRule<ComputeTaskSpec> kTaskKeys[] = {
    {"kernel", read_kernel},
    {"count", [](const Field &f, ComputeTaskSpec &t) { t.count = f.integer(1, 1'000'000); }},
    {"iterations",
     [](const Field &f, ComputeTaskSpec &t) { t.iterations = f.unsigned_integer(0); }},
    {"args", read_args},
    {"types", read_types},
};

bool is_integer(const std::string &text) {
  return !text.empty() && text.size() <= 19 &&
         text.find_first_not_of("0123456789") == std::string::npos;
}

// What each built-in kernel needs, checked now rather than in the first run.
void check_task(const Node &item, const std::string &path, const ComputeTaskSpec &t) {
  auto wrong = [&](const std::string &message) { fail(item.where, item.origin, path, message); };
  if (t.kernel.empty()) wrong("required key 'kernel' is missing");
  const bool puzzles = t.kernel == kPuzzlesKernel;
  if (!puzzles && item.find("types") != nullptr)
    wrong("only puzzles takes 'types' (the page types it takes)");
  if (puzzles && (item.find("iterations") != nullptr || item.find("args") != nullptr))
    wrong(
        "puzzles takes 'count' and 'types'; its chains' lengths are the server's "
        "cpu_iterations and core_iterations (set them under server:)");
  const auto kernel = compute::parse_kernel(t.kernel);
  if (!kernel) return;  // a Lua kernel takes what its function takes
  const bool has_iterations = item.find("iterations") != nullptr;
  if (*kernel == compute::Kernel::md5_chain) {
    if (!has_iterations) wrong("md5_chain needs 'iterations' (chain steps per task)");
    if (!t.args.empty())
      wrong("md5_chain takes 'iterations', not 'args' (each task's seed is its name)");
    return;
  }
  if (has_iterations) wrong(t.kernel + " takes 'args', not 'iterations'");
  if (t.args.size() != 1 || !is_integer(t.args[0]))
    wrong(t.kernel + " takes one argument, a non-negative integer: args: [n]");
}

std::vector<ComputeTaskSpec> task_list(const Field &field) {
  std::vector<ComputeTaskSpec> tasks;
  const Node &list = field.list();
  if (list.items.empty()) field.expected("a non-empty list of tasks");
  for (size_t i = 0; i < list.items.size(); ++i) {
    const Node &item = list.items[i];
    const std::string path = field.path() + "[" + std::to_string(i) + "]";
    if (item.kind != Node::Kind::map)
      fail(item.kind == Node::Kind::null ? field.entry().where : item.where, item.origin, path,
           "expected a mapping such as {kernel: md5_chain, count: 8, iterations: 2000000}, got " +
               describe_node(item));
    ComputeTaskSpec task;
    task.where = item.where;
    read_keys<ComputeTaskSpec>(item, path, kTaskKeys, task);
    check_task(item, path, task);
    tasks.push_back(std::move(task));
  }
  return tasks;
}

void read_tasks(const Field &field, ComputeSpec &spec) {
  spec.workloads.push_back({"", task_list(field)});
}

// workloads: {io: [tasks...], cpu: [tasks...]}
void read_workloads(const Field &field, ComputeSpec &spec) {
  const Node &map = field.map();
  if (map.entries.empty())
    field.expected("a mapping of named task lists, e.g. {io: [...], cpu: [...]}");
  for (const Entry &entry : map.entries) {
    const Field list(entry, child_path(field.path(), entry.key));
    if (entry.key.empty() || entry.key.find_first_of(" ,=") != std::string::npos)
      list.fail_key("a workload's name is one word (it appears as workload=NAME in results)");
    spec.workloads.push_back({entry.key, task_list(list)});
  }
}

// `gil: true`, or `gil: [false, true]` for both worlds in one experiment.
void read_gil(const Field &field, ComputeSpec &spec) {
  spec.gil.clear();
  if (field.node().kind != Node::Kind::list) {
    spec.gil.push_back(field.boolean());
    return;
  }
  const Node &list = field.list();
  if (list.items.empty()) field.expected("true, false or a list of them");
  for (size_t i = 0; i < list.items.size(); ++i) {
    const Node &item = list.items[i];
    const std::string text = item.kind == Node::Kind::scalar ? item.text : "";
    if (text != "true" && text != "false")
      fail(item.kind == Node::Kind::null ? field.entry().where : item.where, item.origin,
           field.path() + "[" + std::to_string(i) + "]",
           "expected true or false, got " + describe_node(item));
    spec.gil.push_back(text == "true");
  }
}

const KeyRule<ComputeSpec> kComputeKeys[] = {
    {"tasks", read_tasks},
    {"workloads", read_workloads},
    {"gil", read_gil},
};

}  // namespace

void read_compute(const Field &field, Draft &draft) {
  ComputeSpec spec;
  read_keys<ComputeSpec>(field.map(), field.path(), kComputeKeys, spec);
  const Node &map = field.map();
  if (map.find("tasks") && map.find("workloads"))
    field.fail("give 'tasks' (one workload) or 'workloads' (several, by name), not both");
  if (spec.workloads.empty())
    field.fail("required key 'tasks' is missing (the work to run; or 'workloads')");
  draft.exp.compute = std::move(spec);
}

std::vector<std::string> compute_key_names() {
  std::vector<std::string> names;
  for (const auto &rule : kComputeKeys) names.emplace_back(rule.name);
  for (const auto &rule : kTaskKeys) names.push_back("tasks[]." + std::string(rule.name));
  return names;
}

}  // namespace concur::config::detail
