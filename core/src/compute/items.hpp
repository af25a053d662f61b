// The tasks of a compute experiment as its runs see them (ComputeItem):
// built-in kernels, Lua functions, md5 chains, and the puzzles of the demo
// server's cpu and core pages. The experiment's plan makes them from the
// config (experiment/compute_plan.hpp).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compute/kernels.hpp"
#include "compute/puzzles.hpp"
#include "hash/md5_chain.hpp"

namespace concur::script {
class LuaKernels;
}

namespace concur::compute {

// One task of a compute experiment: a kernel and its arguments, or md5
// chains. Its run names it "t<index>" (its place in the workload's list).
struct ComputeItem {
  std::optional<Kernel> builtin;       // a built-in kernel other than md5_chain
  std::string lua_file, lua_function;  // lua:FILE#FUNCTION
  std::vector<std::string> args;
  // md5_chain and puzzles: the task's md5 chains (md5_chain: one, seeded by the
  // task id), solved exactly as a crawl solves a page's puzzle, so solve_tasks
  // can put them in SIMD lanes. Empty for the other kernels.
  std::vector<WorkUnit> chains;
  hash::Rule rule = hash::Rule::indexed;
  // puzzles: how the chains group into hidden links, and the ids of the links
  // the server's page hides. complete() checks the results reveal them.
  std::vector<PuzzleGroup> groups;
  std::vector<std::string> answers;
  int id_length = 0;
  std::string page;   // puzzles: the server page the task came from
  std::string label;  // the task's "type": the kernel as written, or cpu / core
};

// Unit `unit` of the item's work (a chain of `chains`, or the one call of its
// kernel), on the calling thread. `lua` runs a Lua kernel (the worker's own
// state for the item's file). Throws what the kernel throws.
std::string solve_item(const ComputeItem &item, const WorkUnit &unit, script::LuaKernels *lua);

// "" when a puzzles task's chain results reveal the links its page hides (or
// the task is not a puzzle); else what went wrong.
std::string check_answers(const ComputeItem &item, const std::vector<std::string> &results);

}  // namespace concur::compute
