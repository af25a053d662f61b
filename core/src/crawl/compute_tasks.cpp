#include "crawl/compute_tasks.hpp"

#include <stdexcept>

#include "script/kernels.hpp"

namespace concur::crawl {

ComputeTasks::ComputeTasks(std::shared_ptr<const std::vector<compute::ComputeItem>> items, bool gil)
    : items_(std::move(items)), gil_(gil ? std::make_unique<script::Gil>() : nullptr) {
  for (size_t i = 0; i < items_->size(); ++i) {
    names_.push_back("t" + std::to_string(i));
    index_of_.emplace(names_.back(), i);
  }
}

const compute::ComputeItem &ComputeTasks::item(const Task &task) const {
  const auto it = index_of_.find(task.page_id);
  if (it == index_of_.end()) throw std::invalid_argument("no compute task " + task.page_id);
  return (*items_)[it->second];
}

bool ComputeTasks::fetch(Worker &, Task &task) {
  task.fetched = true;  // nothing to fetch: the task is its arguments
  return true;
}

void ComputeTasks::fetch_async(Worker &, http::Loop &loop, Task &task,
                               std::function<void(bool)> done) {
  task.fetched = true;
  loop.post([done = std::move(done)] { done(true); });
}

bool ComputeTasks::interpret(Task &task) {
  if (index_of_.count(task.page_id) == 0) {  // not a task of this run (a stray message)
    task.failed = true;
    task.failure = "bad_page";
    return false;
  }
  const compute::ComputeItem &it = item(task);
  // md5 tasks are chains like a page's puzzles, so solve_tasks can put them
  // in SIMD lanes; any other kernel is one unit of work.
  task.content.page_id = task.page_id;
  task.content.page_type = it.label;
  task.content.work = it.chains;
  if (it.chains.empty()) task.content.work = {WorkUnit{task.page_id, 0}};
  return true;
}

std::optional<hash::Rule> ComputeTasks::chain_rule(const Task &task) const {
  const compute::ComputeItem &it = item(task);
  if (it.chains.empty()) return std::nullopt;
  return it.rule;
}

std::string ComputeTasks::solve(Worker &worker, const Task &task, size_t index) {
  const compute::ComputeItem &it = item(task);
  try {
    script::LuaKernels *lua =
        it.lua_file.empty() ? nullptr : &worker.lua_kernels(it.lua_file, gil_.get());
    return compute::solve_item(it, task.content.work.at(index), lua);
  } catch (const script::ScriptError &) {
    throw;  // a kernel's mistake is the script's: the run reports it so
  } catch (const std::exception &e) {
    throw std::runtime_error("task " + task.page_id + " (" + it.label + "): " + e.what());
  }
}

std::vector<std::string> ComputeTasks::found(Task &task) {
  const compute::ComputeItem &it = item(task);
  const std::string wrong = compute::check_answers(it, task.results);
  if (!wrong.empty())
    throw WrongAnswer("task " + task.page_id + " (" + it.label + " page " + it.page +
                      ") was solved wrong: " + wrong);
  return {};
}

void ComputeTasks::add_metrics(std::map<std::string, double> &metrics) const {
  if (gil_) metrics["gil_switches"] = static_cast<double>(gil_->switches());
}

}  // namespace concur::crawl
