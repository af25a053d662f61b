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

#include "crawl/compute_items.hpp"
#include "crawl/frontier.hpp"
#include "crawl/page.hpp"
#include "crawl/policy.hpp"
#include "http/client.hpp"
#include "http/loop.hpp"
#include "results/event.hpp"
#include "results/lower_bound.hpp"
#include "results/progress.hpp"
#include "script/gil.hpp"
#include "script/hooks.hpp"
#include "script/kernels.hpp"

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
  // The server has /metrics (ours does): each run's counts are checked against
  // the server's own.
  bool server_metrics = false;
  results::LiveCounts *live = nullptr;  // counted as pages complete, for a progress line
  // The experiment's `script:` (null: none): each worker runs its hooks in a
  // Lua state of its own, told `run_info` by setup().
  std::shared_ptr<const script::HookScript> hooks;
  script::RunInfo run_info;
  // Set: a compute run. Its tasks are these items, all queued at the start;
  // "fetch" is a no-op, "solve" runs the item's kernel.
  std::shared_ptr<const std::vector<ComputeItem>> compute;
  std::string workload;  // the compute tasks, described for the CSV
  bool gil = false;      // compute: Lua kernels under one simulated GIL per process
  // A worker process's run (the distributed strategy): no frontier, its tasks
  // arrive encoded from the coordinator, which completes them.
  bool worker_only = false;
  // When the run's clock starts; unset: now. A worker on the coordinator's
  // machine starts it at the coordinator's start, so their events line up.
  std::optional<std::chrono::steady_clock::time_point> started_at;
};

struct Task {
  std::string page_id;
  bool fetched = false;
  bool failed = false;  // fetch or interpret failed: complete() counts a failure
  std::string failure;  // why, when failed: http::failure_kind's word, bad_page, ...
  std::string body;     // until interpret
  PageContent content;
  std::vector<std::string> results;  // one per work unit, set by solve()
  std::vector<char> unit_done;       // one per work unit: solved (a result may be "")
  // The request that brought the page, for on_page: its latency and size, and
  // the attempts it took.
  double latency_ms = 0;
  int attempts = 0;
  long bytes = 0;
};

// Counters one worker keeps without locks, merged when it closes.
struct WorkerStats {
  long requests = 0, retries = 0, pages_ok = 0, pages_failed = 0, solves = 0;
  long hedged = 0;                       // requests that were extra copies of an attempt
  long give_ups = 0;                     // pages whose every allowed attempt failed
  long cancelled = 0;                    // copies stopped once a twin had won (in requests too)
  std::map<std::string, long> failures;  // failed pages by Task::failure
  double solve_s = 0;
  long connections = 0;
  std::vector<double> latencies_ms;
  std::vector<std::string> pages_ok_ids;
  std::vector<results::Event> events;
  std::vector<std::pair<std::string, std::vector<std::string>>> page_links;  // ok pages
  std::vector<std::pair<std::string, std::string>> page_types;               // ok pages
  void add(WorkerStats &&other);  // sums counters, appends samples
};

// What a run did, from every closed worker: the experiment turns it into the
// run's row (experiment/row.hpp).
struct RunTotals {
  WorkerStats work;                       // pages_ok_ids sorted, events by start time
  std::map<std::string, double> metrics;  // the strategy's, and gil_switches
  std::string error;                      // why the run was aborted; "" when it was not
};

class Worker {
 public:
  Worker(int id, long timeout_ms);
  int id() const { return id_; }
  http::Client &client() { return client_; }
  // A loop of this worker's own, made on first use: how a blocking fetch
  // sends hedged copies side by side.
  http::Loop &loop();
  WorkerStats &stats() { return stats_; }
  // This worker's Lua state for the experiment's hooks; null without a script.
  script::WorkerHooks *hooks() { return hooks_.get(); }
  void set_hooks(std::unique_ptr<script::WorkerHooks> hooks) { hooks_ = std::move(hooks); }
  std::unique_ptr<script::WorkerHooks> release_hooks() { return std::move(hooks_); }
  // This worker's state for the Lua kernels of `file`, loaded on first use.
  script::LuaKernels &lua_kernels(const std::string &file, script::Gil *gil);
  // Hooks run in the process that opened the worker: a forked child's
  // requests reach on_response in the parent, with its outcome. True in a
  // child once it adopted its copy (adopt_if_forked).
  bool forked() const;
  // In a process forked from the one that opened this worker, the counters
  // inherited from the parent are the parent's to report: start from zero.
  void adopt_if_forked();

 private:
  int id_;
  int owner_pid_;
  bool adopted_ = false;  // this copy lives in a forked child
  long timeout_ms_;
  http::Client client_;
  std::unique_ptr<http::Loop> loop_;
  WorkerStats stats_;
  std::unique_ptr<script::WorkerHooks> hooks_;
  std::map<std::string, std::unique_ptr<script::LuaKernels>> lua_kernels_;
};

class CrawlRun {
 public:
  explicit CrawlRun(CrawlSettings settings);

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
  void replay_responses(Worker &worker, const std::vector<results::Event> &events);
  // After the run: every worker's hook state, by worker id, for done().
  std::vector<std::unique_ptr<script::WorkerHooks>> take_worker_hooks();

  void metric(const std::string &name, double value, bool max);
  // Ends the run early: every later take() says finished. The first reason wins.
  void abort(const std::string &why);
  bool aborted() const { return aborted_.load(); }
  std::string error() const;
  // Lua's stack traceback when a hook ended the run, for the log.
  std::string script_traceback() const;

  const CrawlSettings &settings() const { return settings_; }
  std::chrono::steady_clock::time_point started() const { return started_; }
  // Seconds since this run was created, on the steady clock.
  double clock() const;
  // Totals from every closed worker; the caller adds wall time and resources.
  RunTotals totals() const;

 private:
  // One page's fetch across its attempts.
  struct Attempts {
    int made = 0;  // attempts so far (a hedged attempt is one, whatever its copies)
    bool never_connected = true;
    bool retryable = false;  // the last attempt failed in a way worth retrying
    std::string last_error;
    std::string last_failure;  // http::failure_kind of the last failed attempt
  };
  struct AsyncFetch;  // an event-loop fetch in progress (crawl_run.cpp)
  struct Copy {       // one request of an attempt, in flight
    int attempt;
    http::Loop::Id id;
    double start;
    bool hedged;  // an extra copy, not the attempt's first request
  };
  std::string url(const std::string &page) const;
  // Books one request (a copy of an attempt) in the worker's figures.
  void record(Worker &worker, const std::string &page, double start, const http::Response &r,
              bool hedged_copy, int attempt);
  void note_failure(Attempts &attempts, const http::Response &r) const;
  // After a failed attempt: true to try again; false marks the task failed.
  bool try_again(Worker &worker, Task &task, Attempts &attempts);
  bool fetch_hedged(Worker &worker, Task &task);
  void start_attempt(const std::shared_ptr<AsyncFetch> &f);
  void send_copy(const std::shared_ptr<AsyncFetch> &f, bool hedged_copy);
  void on_copy(const std::shared_ptr<AsyncFetch> &f, const Copy &copy, http::Response r);
  void cancel_copies(const std::shared_ptr<AsyncFetch> &f);
  void record_cancelled(Worker &worker, const std::string &page, const Copy &copy);
  void on_response(Worker &worker, const results::Event &request);
  // The links to queue after a page: on_page's choice when the script has one.
  std::vector<std::string> follow(Worker &worker, Task &task, std::vector<std::string> links);
  const ComputeItem *compute_item(const Task &task) const;  // null for a page
  std::string run_compute(Worker &worker, const ComputeItem &item, const WorkUnit &unit);
  // A hook failed: the run ends with the script's message.
  void script_failed(const script::ScriptError &e);

  CrawlSettings settings_;
  std::chrono::steady_clock::time_point started_;
  LocalFrontier frontier_;
  std::atomic<int> next_worker_id_{0};
  std::atomic<bool> aborted_{false};
  mutable std::mutex mutex_;  // guards everything below
  std::string error_;
  WorkerStats merged_;
  std::map<std::string, double> metrics_;
  std::vector<std::unique_ptr<script::WorkerHooks>> finished_hooks_;
  std::unique_ptr<script::Gil> gil_;  // settings_.gil
  std::string script_traceback_;
};

}  // namespace concur::crawl
