// What a run's tasks are and mean, verb by verb. A crawl's tasks are pages
// found through links (PageTasks); a compute experiment's are items queued at
// the start (ComputeTasks). CrawlRun keeps the books for both — workers,
// counters, events, hooks, the frontier — and asks its kind the rest, so a
// verb never asks which kind of run it is in.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "crawl/task.hpp"
#include "hash/md5_chain.hpp"
#include "http/loop.hpp"

namespace concur::crawl {

// A task completed with answers that are wrong: the strategy's mistake, which
// ends the run with this message.
class WrongAnswer : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

class TaskKind {
 public:
  virtual ~TaskKind() = default;
  // What the frontier holds when the run starts.
  virtual std::vector<std::string> initial_tasks() const = 0;
  // The I/O, blocking or on an event loop (done(ok) from a later run_once);
  // false / done(false): the task failed, task.failure says why.
  virtual bool fetch(Worker &worker, Task &task) = 0;
  virtual void fetch_async(Worker &worker, http::Loop &loop, Task &task,
                           std::function<void(bool)> done) = 0;
  // Fills task.content: its links and its work units. False: the task failed.
  virtual bool interpret(Task &task) = 0;
  // The rule of the md5 chains the task's units are (so solve_tasks may put
  // them in SIMD lanes), or nullopt when they are not chains.
  virtual std::optional<hash::Rule> chain_rule(const Task &task) const = 0;
  // Unit `index` of the task's work on the calling thread: its result.
  // Throws what the work throws (script::ScriptError for a Lua kernel).
  virtual std::string solve(Worker &worker, const Task &task, size_t index) = 0;
  // A solved task's findings: the tasks it leads to (a page's links and the
  // links its puzzles reveal). WrongAnswer when its results are wrong.
  virtual std::vector<std::string> found(Task &task) = 0;
  // Figures of the kind's own, for the run's metrics (e.g. gil_switches).
  virtual void add_metrics(std::map<std::string, double> &) const {}
};

}  // namespace concur::crawl
