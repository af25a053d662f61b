// The host's objects behind the ABI's opaque handles, and what every host
// service shares: converting exceptions into an aborted run, tracking what a
// plugin holds. Private to plugin/ (host.cpp, host_messages.cpp).
#pragma once

#include <concur/plugin.h>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "config/options.hpp"
#include "crawl/crawl_run.hpp"
#include "crawl/worker_trust.hpp"

struct concur_run {
  concur::crawl::CrawlRun *crawl;
  const concur::config::OptionSet *options;
  std::string plugin_name;
  std::mutex mutex;  // guards the live sets
  std::unordered_set<concur_worker *> live_workers;
  std::unordered_set<concur_task *> live_tasks;
  std::unordered_set<concur_loop *> live_loops;
  // A worker process's run (open_run) owns its crawl.
  std::unique_ptr<concur::crawl::CrawlRun> owned = nullptr;
  std::string error_text = {};  // run_error's answer
};

struct concur_worker {
  concur_run *run;
  std::unique_ptr<concur::crawl::Worker> worker;
};

struct concur_task {
  std::unique_ptr<concur::crawl::Task> task;
  concur_loop *fetching = nullptr;  // the loop whose fetch of it is in flight
};

struct concur_loop {
  concur_worker *worker;
  std::unique_ptr<concur::http::Loop> loop;
  std::unordered_set<concur_task *> fetching;  // started, callback not yet run
};

namespace concur::plugin::host {

inline void fail(concur_run *run, const std::string &why) {
  run->crawl->abort(why);
}

// Runs `body`, converting exceptions into an aborted run and `on_error`.
template <typename F, typename R>
R guarded(concur_run *run, R on_error, F &&body) {
  try {
    return body();
  } catch (const std::exception &e) {
    fail(run, e.what());
  } catch (...) {
    fail(run, "unknown error in the host");
  }
  return on_error;
}

inline void track(concur_run *run, concur_task *t) {
  std::lock_guard lock(run->mutex);
  run->live_tasks.insert(t);
}

inline bool untrack(concur_run *run, concur_task *t) {
  std::lock_guard lock(run->mutex);
  return run->live_tasks.erase(t) == 1;
}

// What the plugin left behind is reclaimed, and named: a plugin bug.
void reclaim(concur_run &run);

// Moving runs and pages between processes and hosts (host_messages.cpp).
concur_status send_task(const concur_task *t, int fd);
concur_status receive_task(concur_worker *w, int fd, concur_task **out);
concur_status send_outcome(concur_worker *w, concur_task *t, int fd);
concur_status receive_outcome(concur_worker *w, concur_task *t, int fd);
concur_status encode_task(const concur_task *t, concur_bytes *out);
concur_status decode_task(concur_worker *w, const void *data, size_t size, concur_task **out);
concur_status encode_outcome(concur_worker *w, concur_task *t, concur_bytes *out);
concur_status decode_outcome(concur_worker *w, concur_task *t, const void *data, size_t size);
void bytes_free(concur_bytes *bytes);
concur_status describe_run(concur_run *run, concur_bytes *out);
concur_run *open_run(const void *description, size_t size, char *err, size_t err_size);
// What open_run refuses from now on (`concur worker`'s --allow-host and
// --kernels); null: everything (a coordinator's own forked workers).
void trust_only(const crawl::WorkerTrust *trust);
void close_run(concur_run *run);
const char *run_error(concur_run *run);

}  // namespace concur::plugin::host
