// A run's tasks and workers: the task a plugin holds between take and
// complete, the counters a worker keeps without locks, and the worker itself
// (its HTTP client and loop, its Lua states). Plugins see them as opaque
// handles (plugin.h: concur_task, concur_worker).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "crawl/page.hpp"
#include "http/client.hpp"
#include "http/loop.hpp"
#include "results/event.hpp"
#include "results/page_record.hpp"
#include "script/gil.hpp"
#include "script/hooks.hpp"
#include "script/kernels.hpp"

namespace concur::crawl {

struct Task {
  std::string page_id;
  double urgency = 0;  // solve_order.hpp: a queued puzzle with more is solved sooner
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
  long connect_failures = 0;             // attempts that never connected (refused): not in requests
  std::map<std::string, long> failures;  // failed pages by Task::failure
  double solve_s = 0;
  long connections = 0;
  std::vector<double> latencies_ms;  // of requests that got an HTTP answer (any status)
  results::PageRecords pages;        // the pages completed successfully
  results::Events events;
  void add(WorkerStats &&other);  // sums counters, appends samples
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

}  // namespace concur::crawl
