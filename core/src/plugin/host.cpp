// Every function here is a C entry point: it converts handles, calls the C++
// crawl, and turns any exception into an aborted run — none crosses the ABI.
#include "plugin/host.hpp"

#include "plugin/host_objects.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <unordered_set>
#include <vector>

namespace concur::plugin {
namespace {

using config::TypedValue;
using namespace host;

const TypedValue *option(concur_run *run, const char *name, concur_option_type type) {
  for (const auto &o : *run->options)
    if (o.name == (name ? name : "")) {
      if (o.value.type == type) return &o.value;
      fail(run,
           "plugin '" + run->plugin_name + "' read option '" + o.name + "' with the wrong type");
      return nullptr;
    }
  fail(run,
       "plugin '" + run->plugin_name + "' read undeclared option '" + (name ? name : "") + "'");
  return nullptr;
}

int64_t option_int(concur_run *run, const char *name) {
  auto v = option(run, name, CONCUR_OPT_INT);
  return v ? v->i : 0;
}
double option_double(concur_run *run, const char *name) {
  auto v = option(run, name, CONCUR_OPT_DOUBLE);
  return v ? v->d : 0;
}
int option_bool(concur_run *run, const char *name) {
  auto v = option(run, name, CONCUR_OPT_BOOL);
  return v ? v->b : 0;
}
const char *option_string(concur_run *run, const char *name) {
  auto v = option(run, name, CONCUR_OPT_STRING);
  return v ? v->s.c_str() : "";
}

concur_worker *worker_open(concur_run *run) {
  if (run->crawl->aborted()) return nullptr;
  return guarded(run, static_cast<concur_worker *>(nullptr), [&] {
    auto *w = new concur_worker{run, run->crawl->open_worker()};
    std::lock_guard lock(run->mutex);
    run->live_workers.insert(w);
    return w;
  });
}

void close_loop(concur_loop *l);

void worker_close(concur_worker *w) {
  if (w == nullptr) return;
  concur_run *run = w->run;
  std::vector<concur_loop *> orphans;  // loops still open on this worker: a plugin bug
  {
    std::lock_guard lock(run->mutex);
    run->live_workers.erase(w);
    for (auto *l : run->live_loops)
      if (l->worker == w) orphans.push_back(l);
    for (auto *l : orphans) run->live_loops.erase(l);
  }
  if (!orphans.empty())
    fail(run, "plugin '" + run->plugin_name + "' closed a worker whose loop was still open");
  for (auto *l : orphans) close_loop(l);  // before the worker its callbacks point at
  guarded(run, 0, [&] {
    run->crawl->close_worker(std::move(w->worker));
    return 0;
  });
  delete w;
}

int worker_id(const concur_worker *w) {
  return w ? w->worker->id() : -1;
}

concur_status take(concur_worker *w, concur_task **out, int wait) {
  concur_run *run = w->run;
  return guarded(run, CONCUR_FINISHED, [&] {
    std::unique_ptr<crawl::Task> task;
    switch (run->crawl->take(*w->worker, task, wait != 0)) {
      case crawl::TakeResult::finished:
        return CONCUR_FINISHED;
      case crawl::TakeResult::again:
        return CONCUR_AGAIN;
      case crawl::TakeResult::task:
        break;
    }
    auto *t = new concur_task{std::move(task)};
    track(run, t);
    *out = t;
    return CONCUR_OK;
  });
}

concur_status fetch(concur_worker *w, concur_task *t) {
  return guarded(w->run, CONCUR_ERROR, [&] {
    return w->run->crawl->fetch(*w->worker, *t->task) ? CONCUR_OK : CONCUR_PAGE_FAILED;
  });
}

concur_status interpret(concur_worker *w, concur_task *t) {
  return guarded(w->run, CONCUR_ERROR, [&] {
    return w->run->crawl->interpret(*w->worker, *t->task) ? CONCUR_OK : CONCUR_PAGE_FAILED;
  });
}

size_t work_count(const concur_task *t) {
  return t->task->content.work.size();
}

double task_urgency(const concur_task *t) {
  return t->task->urgency;
}

concur_status solve(concur_worker *w, concur_task *t, size_t index) {
  return guarded(w->run, CONCUR_ERROR, [&] {
    w->run->crawl->solve(*w->worker, *t->task, index);
    return CONCUR_OK;
  });
}

concur_status solve_tasks(concur_worker *w, concur_task *const *tasks, size_t count) {
  return guarded(w->run, CONCUR_ERROR, [&] {
    std::vector<crawl::Task *> batch;
    for (size_t i = 0; i < count; ++i) {
      if (tasks[i] == nullptr) throw std::invalid_argument("solve_tasks: a null task");
      batch.push_back(tasks[i]->task.get());
    }
    w->run->crawl->solve_lanes(*w->worker, batch);
    return CONCUR_OK;
  });
}

concur_status complete(concur_worker *w, concur_task *t) {
  concur_run *run = w->run;
  if (t->fetching != nullptr) {
    // Freeing it now would leave the loop writing into a dead task; it stays
    // tracked, and is reclaimed after its loop is closed.
    fail(run, "plugin '" + run->plugin_name + "' completed a task whose fetch is in flight");
    return CONCUR_ERROR;
  }
  if (!untrack(run, t)) {
    fail(run, "plugin '" + run->plugin_name + "' completed a task twice or one it never took");
    return CONCUR_ERROR;
  }
  auto status = guarded(run, CONCUR_ERROR, [&] {
    run->crawl->complete(*w->worker, std::move(t->task));
    return CONCUR_OK;
  });
  delete t;
  return status;
}

void log(concur_run *run, concur_log_level level, const char *message) {
  static const char *kLevels[] = {"debug", "info", "warning", "error"};
  const int index = level >= CONCUR_LOG_DEBUG && level <= CONCUR_LOG_ERROR ? level : 1;
  if (level == CONCUR_LOG_DEBUG) return;  // no verbosity switch yet
  std::cerr << "concur: " << run->plugin_name << ": " << kLevels[index] << ": "
            << (message ? message : "") << '\n';
}

void metric(concur_run *run, const char *name, double value, concur_metric_kind kind) {
  guarded(run, 0, [&] {
    run->crawl->metric(name ? name : "unnamed", value, kind == CONCUR_METRIC_MAX);
    return 0;
  });
}

concur_loop *loop_open(concur_worker *w) {
  concur_run *run = w->run;
  if (run->crawl->aborted()) return nullptr;
  return guarded(run, static_cast<concur_loop *>(nullptr), [&] {
    auto *l =
        new concur_loop{w, std::make_unique<http::Loop>(run->crawl->settings().timeout_ms), {}};
    std::lock_guard lock(run->mutex);
    run->live_loops.insert(l);
    return l;
  });
}

void close_loop(concur_loop *l) {
  for (auto *t : l->fetching) {
    t->fetching = nullptr;
    t->task->failed = true;  // cancelled: completing it counts a failed page
    t->task->failure = "cancelled";
  }
  l->loop.reset();  // cancels the transfers; no callback runs
  delete l;
}

void loop_close(concur_loop *l) {
  if (l == nullptr) return;
  concur_run *run = l->worker->run;
  {
    std::lock_guard lock(run->mutex);
    run->live_loops.erase(l);
  }
  close_loop(l);
}

concur_status fetch_start(concur_loop *l, concur_task *t, concur_callback done, void *user) {
  concur_run *run = l->worker->run;
  if (t->fetching != nullptr) {
    fail(run, "plugin '" + run->plugin_name + "' started a second fetch of one task");
    return CONCUR_ERROR;
  }
  return guarded(run, CONCUR_ERROR, [&] {
    run->crawl->fetch_async(*l->worker->worker, *l->loop, *t->task, [l, t, done, user](bool ok) {
      l->fetching.erase(t);
      t->fetching = nullptr;
      done(user, ok ? CONCUR_OK : CONCUR_PAGE_FAILED);
    });
    l->fetching.insert(t);
    t->fetching = l;
    return CONCUR_OK;
  });
}

concur_status loop_run(concur_loop *l, int timeout_ms) {
  return guarded(l->worker->run, CONCUR_ERROR, [&] {
    l->loop->run_once(timeout_ms);
    return CONCUR_OK;
  });
}

concur_status loop_post(concur_loop *l, concur_callback fn, void *user) {
  return guarded(l->worker->run, CONCUR_ERROR, [&] {
    l->loop->post([fn, user] { fn(user, CONCUR_OK); });
    return CONCUR_OK;
  });
}

size_t loop_in_flight(const concur_loop *l) {
  return l->fetching.size();
}

}  // namespace

// What the plugin left behind is reclaimed here, and named: a plugin bug.
void host::reclaim(concur_run &run) {
  std::string leftovers;
  // Loops first: closing one cancels fetches that still point at tasks.
  if (!run.live_loops.empty())
    leftovers += std::to_string(run.live_loops.size()) + " loop(s) never closed";
  for (auto *l : run.live_loops) close_loop(l);
  auto more = [&leftovers] { return leftovers.empty() ? "" : ", "; };
  if (!run.live_tasks.empty())
    leftovers += more() + std::to_string(run.live_tasks.size()) + " task(s) never completed";
  for (auto *t : run.live_tasks) delete t;
  if (!run.live_workers.empty())
    leftovers += more() + std::to_string(run.live_workers.size()) + " worker(s) never closed";
  for (auto *w : run.live_workers) {
    run.crawl->close_worker(std::move(w->worker));
    delete w;
  }
  if (!leftovers.empty()) fail(&run, "plugin '" + run.plugin_name + "' left " + leftovers);
}

// Every member by name, in declaration order (C++20 refuses any other), so a
// service can only land in the member that bears its name.
const concur_host &host_table() {
  static const concur_host table = {
      .abi_version = CONCUR_ABI_VERSION,
      .struct_size = static_cast<uint32_t>(sizeof(concur_host)),
      .option_int = option_int,
      .option_double = option_double,
      .option_bool = option_bool,
      .option_string = option_string,
      .worker_open = worker_open,
      .worker_close = worker_close,
      .worker_id = worker_id,
      .take = take,
      .fetch = fetch,
      .interpret = interpret,
      .work_count = work_count,
      .solve = solve,
      .complete = complete,
      .log = log,
      .metric = metric,
      .send_task = host::send_task,
      .receive_task = host::receive_task,
      .send_outcome = host::send_outcome,
      .receive_outcome = host::receive_outcome,
      .loop_open = loop_open,
      .loop_close = loop_close,
      .fetch_start = fetch_start,
      .loop_run = loop_run,
      .loop_post = loop_post,
      .loop_in_flight = loop_in_flight,
      // since 1.1
      .solve_tasks = solve_tasks,
      // since 1.2
      .encode_task = host::encode_task,
      .decode_task = host::decode_task,
      .encode_outcome = host::encode_outcome,
      .decode_outcome = host::decode_outcome,
      .bytes_free = host::bytes_free,
      .describe_run = host::describe_run,
      .open_run = host::open_run,
      .close_run = host::close_run,
      .run_error = host::run_error,
      // since 1.3
      .task_urgency = task_urgency,
  };
  return table;
}

void run_plugin(const Plugin &plugin, crawl::CrawlRun &crawl, const config::OptionSet &options) {
  concur_run run{&crawl, &options, plugin.name(), {}, {}, {}, {}, {}, {}};
  char err[1024] = {0};
  int rc = plugin.descriptor().run(&host_table(), &run, err, sizeof err);
  err[sizeof err - 1] = '\0';
  if (rc != 0)
    fail(&run, "strategy '" + plugin.name() + "' failed: " + (err[0] ? err : "no reason given"));
  reclaim(run);
}

int serve_plugin(const Plugin &plugin, const std::vector<std::string> &args,
                 const crawl::WorkerTrust &trust, std::string &error) {
  const auto serve = plugin.serve();
  if (serve == nullptr)
    throw PluginError("plugin '" + plugin.name() + "' serves no work to other processes");
  std::vector<const char *> argv;
  for (const auto &arg : args) argv.push_back(arg.c_str());
  char err[1024] = {0};
  host::trust_only(&trust);
  const int rc = serve(&host_table(), argv.data(), argv.size(), err, sizeof err);
  host::trust_only(nullptr);
  err[sizeof err - 1] = '\0';
  if (rc != 0) error = err[0] ? err : "no reason given";
  return rc;
}

}  // namespace concur::plugin
