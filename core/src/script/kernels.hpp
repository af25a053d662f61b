// Lua kernels: a compute task written as a Lua function, named
// "lua:FILE#FUNCTION" (e.g. "lua:scripts/kernels.lua#prime_factors", read by
// compute::parse_kernel_ref), called on the worker that runs the task with the
// task's arguments.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "script/lua.hpp"

namespace concur::script {

// Seconds this thread's kernels waited in concur.sleep since the last call:
// the part of a task's span that is neither CPU nor contention.
double take_declared_wait_s();

// One worker's kernels: the file loaded in a state of the worker's own.
class Gil;

class LuaKernels {
 public:
  // ScriptError (load) naming file and line. With a GIL, every call runs
  // under it (script/gil.hpp).
  explicit LuaKernels(const std::string &file, Gil *gil = nullptr);
  bool has(const std::string &function) const;
  // Calls the function with `args` (numbers when they read as numbers) and
  // returns its result as text (tostring). ScriptError (run) naming the line.
  std::string call(const std::string &function, const std::vector<std::string> &args);

 private:
  std::string file_;
  Gil *gil_;
  State state_;
};

}  // namespace concur::script
