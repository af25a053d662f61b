// A compute experiment's tasks: its items (compute/items.hpp), all queued at
// the start and named "t<index>". Nothing to fetch; a task's units are its md5
// chains, or one call of its kernel; a `puzzles` task's answers are checked
// against the links its page hides.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "compute/items.hpp"
#include "crawl/task_kind.hpp"
#include "script/gil.hpp"

namespace concur::crawl {

class ComputeTasks final : public TaskKind {
 public:
  // `gil`: Lua kernels run under one simulated GIL (script/gil.hpp).
  ComputeTasks(std::shared_ptr<const std::vector<compute::ComputeItem>> items, bool gil);
  std::vector<std::string> initial_tasks() const override { return names_; }
  bool fetch(Worker &worker, Task &task) override;
  void fetch_async(Worker &worker, http::Loop &loop, Task &task,
                   std::function<void(bool)> done) override;
  bool interpret(Task &task) override;
  std::optional<hash::Rule> chain_rule(const Task &task) const override;
  std::string solve(Worker &worker, const Task &task, size_t index) override;
  std::vector<std::string> found(Task &task) override;
  void add_metrics(std::map<std::string, double> &metrics) const override;

 private:
  // The item a task is; std::invalid_argument for a name the run never gave.
  const compute::ComputeItem &item(const Task &task) const;

  std::shared_ptr<const std::vector<compute::ComputeItem>> items_;
  std::vector<std::string> names_;                    // "t0", "t1", ...
  std::unordered_map<std::string, size_t> index_of_;  // name -> item
  std::unique_ptr<script::Gil> gil_;                  // null: no GIL
};

}  // namespace concur::crawl
