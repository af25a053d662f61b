// One crawl run: what fetching, interpreting, solving and completing a page
// mean, independent of how a strategy schedules them. The plugin host table
// (plugin/host.cpp) is a thin C skin over this class.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "compute/items.hpp"
#include "crawl/fetcher.hpp"
#include "crawl/frontier.hpp"
#include "crawl/page.hpp"
#include "crawl/policy.hpp"
#include "crawl/solve_order.hpp"
#include "crawl/task.hpp"
#include "crawl/task_kind.hpp"
#include "http/loop.hpp"
#include "results/event.hpp"
#include "results/lower_bound.hpp"
#include "results/page_names.hpp"
#include "script/hooks.hpp"

namespace concur::crawl {

struct CrawlSettings {
  std::string base_url;  // "http://127.0.0.1:PORT", no trailing slash
  std::string start_id;  // the first page
  int max_pages = 0;
  int timeout_ms = 10'000;
  int retries = 50;    // attempts after the first, at most
  FetchPolicy policy;  // what is retried, backoff, hedging
  PuzzleParams puzzle;
  // The server's whole graph (`/api/cheat/`) when it offers it: a whole-graph
  // crawl's bound then runs over every page, not just the discovered ones.
  std::shared_ptr<const results::KnownGraph> graph;
  // hedge: auto's copies per attempt (null: none made, or another policy).
  std::shared_ptr<const HedgePlan> hedge_plan;
  // Each puzzle page's urgency, from the whole graph (null: no graph, every
  // task's urgency is 0).
  std::shared_ptr<const SolveOrder> solve_order;
  // The server has /metrics (ours does): each run's counts are checked against
  // the server's own.
  bool server_metrics = false;
  // The experiment's `script:` (null: none): each worker runs its hooks in a
  // Lua state of its own, told `run_info` by setup().
  std::shared_ptr<const script::HookScript> hooks;
  script::RunInfo run_info;
  // Set: a compute run. Its tasks are these items, all queued at the start;
  // "fetch" is a no-op, "solve" runs the item's kernel.
  std::shared_ptr<const std::vector<compute::ComputeItem>> compute;
  std::string workload;  // the compute tasks, described for the CSV
  bool gil = false;      // compute: Lua kernels under one simulated GIL per process
  // A worker process's run (the distributed strategy): no frontier, its tasks
  // arrive encoded from the coordinator, which completes them.
  bool worker_only = false;
  // When the run's clock starts; unset: now. A worker on the coordinator's
  // machine starts it at the coordinator's start, so their events line up.
  std::optional<std::chrono::steady_clock::time_point> started_at;
};

// What a run did, from every closed worker: the experiment turns it into the
// run's row (experiment/row.hpp).
struct RunTotals {
  WorkerStats work;  // pages sorted by index; events as workers closed
  // What work.events name pages by.
  std::shared_ptr<const results::PageNames> names = std::make_shared<const results::PageNames>();
  std::map<std::string, double> metrics;  // the strategy's, and gil_switches
  std::string error;                      // why the run was aborted; "" when it was not
};

// Told of each task as it completes: how a progress line counts pages.
class TaskObserver {
 public:
  virtual ~TaskObserver() = default;
  virtual void completed(bool ok) = 0;  // on the completing worker's thread
};

class CrawlRun final : public FetchHost {
 public:
  // The run's tasks are the settings' compute items, else the pages found
  // from start_id. `frontier` (null: a LocalFrontier) holds the tasks not
  // yet taken: a shared frontier is a new Frontier, not an edit here.
  explicit CrawlRun(CrawlSettings settings, std::unique_ptr<Frontier> frontier = nullptr);

  // Before the run starts; null: nobody.
  void observe(TaskObserver *observer) { observer_ = observer; }

  std::unique_ptr<Worker> open_worker();
  void close_worker(std::unique_ptr<Worker> worker);

  // The five verbs (plugin.h explains each).
  TakeResult take(Worker &worker, std::unique_ptr<Task> &task, bool wait);
  bool fetch(Worker &worker, Task &task);  // false: the page failed
  // fetch() on an event loop owned by `worker`'s thread: returns at once,
  // `done(ok)` runs from a later loop.run_once(). Same policy, same records.
  void fetch_async(Worker &worker, http::Loop &loop, Task &task, std::function<void(bool)> done);
  bool interpret(Worker &worker, Task &task);  // false: the page failed
  void solve(Worker &worker, Task &task, size_t index);
  // Every unit of every task, several chains per vector (hash/md5_lanes.hpp):
  // units with the same iteration count share the lanes.
  void solve_lanes(Worker &worker, const std::vector<Task *> &tasks);
  void complete(Worker &worker, std::unique_ptr<Task> task);

  // A forked child's requests, received with its outcome: on_response runs
  // for them here, in the process that owns the worker's hooks.
  void replay_responses(Worker &worker, const results::Events &events);
  // After the run: every worker's hook state, by worker id, for done().
  std::vector<std::unique_ptr<script::WorkerHooks>> take_worker_hooks();

  void metric(const std::string &name, double value, bool max);
  // The ids the run's events name pages by (events and decoded outcomes).
  results::PageNames &names() { return *names_; }
  // Ends the run early: every later take() says finished. The first reason wins.
  void abort(const std::string &why) override;
  bool aborted() const override { return aborted_.load(); }
  std::string error() const;
  // Lua's stack traceback when a hook ended the run, for the log.
  std::string script_traceback() const;

  const CrawlSettings &settings() const { return settings_; }
  std::chrono::steady_clock::time_point started() const { return started_; }
  // Seconds since this run was created, on the steady clock.
  double clock() const override;
  // Totals from every closed worker, moved out (a second call finds none):
  // the caller adds wall time and resources. A copy would double the run's
  // largest memory, its events, at the moment its peak RSS is read.
  RunTotals take_totals();

 private:
  // FetchHost: what the fetch policy (fetcher.hpp) needs of its run.
  void on_response(Worker &worker, const results::Event &request) override;
  uint32_t page_index(const std::string &page) override { return names_->intern(page).first; }
  // The links to queue after a page: on_page's choice when the script has one.
  std::vector<std::string> follow(Worker &worker, Task &task, std::vector<std::string> links);
  // A hook failed: the run ends with the script's message.
  void script_failed(const script::ScriptError &e);

  CrawlSettings settings_;
  std::chrono::steady_clock::time_point started_;
  Fetcher fetcher_;
  TaskObserver *observer_ = nullptr;
  std::unique_ptr<TaskKind> kind_;  // what the tasks mean
  // Every page id the run met, the frontier's seen set: what events name pages by.
  std::shared_ptr<results::PageNames> names_ = std::make_shared<results::PageNames>();
  std::unique_ptr<Frontier> frontier_;
  std::atomic<int> next_worker_id_{0};
  std::atomic<bool> aborted_{false};
  mutable std::mutex mutex_;  // guards everything below
  std::string error_;
  WorkerStats merged_;
  std::map<std::string, double> metrics_;
  std::vector<std::unique_ptr<script::WorkerHooks>> finished_hooks_;
  std::string script_traceback_;
};

}  // namespace concur::crawl
