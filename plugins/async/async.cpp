// async: one thread, one event loop, C++20 coroutines — the course's asyncio
// crawler. A driver coroutine takes pages while the semaphore has a free slot
// (`concurrency` pages in flight, like asyncio.Semaphore) and spawns one
// visit coroutine per page; `co_await fetch(task)` suspends the visit until
// the host's loop has the answer, so thousands of fetches share the thread.
//
// Puzzles show what the model costs. `executor: inline` solves them on the
// loop thread, as an asyncio crawler that calls a CPU function directly does:
// the loop stalls, and every fetch in flight waits (their latency jumps).
// `threads` and `processes` are loop.run_in_executor(): the visit awaits a
// pool, and the loop goes on serving the network. `lanes` solves a page's
// chains together in SIMD lanes (on one executor thread); inline, it solves
// every page whose puzzle arrived in one turn of the loop together.
#include <concur/plugin.h>

#include <algorithm>
#include <chrono>
#include <coroutine>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <memory>
#include <thread>

#include "coro.hpp"
#include "process_pool.hpp"
#include "solve_page.hpp"
#include "solver_pool.hpp"

namespace concur_async {
namespace {

// Resumes the suspended coroutine from a host callback (on the loop thread).
struct Resume {
  concur_status status = CONCUR_OK;
  std::coroutine_handle<> handle;
  static void fire(void *user, concur_status status) {
    auto *self = static_cast<Resume *>(user);
    self->status = status;
    self->handle.resume();
  }
};

enum class Executor { inline_, threads, processes };

// co_await fetch: suspends until the host's loop reports the fetch done.
struct FetchAwaiter : Resume {
  const concur_host *host;
  concur_loop *loop;
  concur_task *task;
  FetchAwaiter(const concur_host *h, concur_loop *l, concur_task *t) : host(h), loop(l), task(t) {}
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    handle = h;
    if (host->fetch_start(loop, task, Resume::fire, this) == CONCUR_OK) return true;
    status = CONCUR_PAGE_FAILED;  // the run was aborted: carry on without waiting
    return false;
  }
  concur_status await_resume() const noexcept { return status; }
};

// co_await a lanes batch: suspends until the end of the loop's turn, when
// every page parked in it is solved together on the loop thread.
struct ParkAwaiter : Resume {
  concur_plugins::InlineBatch *batch;
  concur_task *task;
  ParkAwaiter(concur_plugins::InlineBatch *b, concur_task *t) : batch(b), task(t) {}
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    handle = h;
    batch->park(task, Resume::fire, this);
  }
  void await_resume() const noexcept {}
};

// co_await run_in_executor: suspends until a pool has solved the page.
struct SolveAwaiter : Resume {
  concur_plugins::SolverPool *threads;
  ProcessPool *processes;
  concur_task *task;
  SolveAwaiter(concur_plugins::SolverPool *th, ProcessPool *pr, concur_task *t)
      : threads(th), processes(pr), task(t) {}
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    handle = h;
    if (threads)
      threads->solve(task, Resume::fire, this);
    else
      processes->solve(task, Resume::fire, this);
  }
  void await_resume() const noexcept {}
};

class Crawler {
 public:
  Crawler(const concur_host *host, concur_run *run, concur_worker *worker, concur_loop *loop,
          size_t concurrency, bool lanes)
      : host_(host), run_(run), worker_(worker), loop_(loop), slots_(concurrency), lanes_(lanes) {}

  void use(concur_plugins::SolverPool *threads) { threads_ = threads; }
  void use(ProcessPool *processes) { processes_ = processes; }

  // The driver: asyncio's `async with semaphore:` around each page.
  Spawned drive() {
    for (;;) {
      co_await slots_.acquire();
      concur_task *task = nullptr;
      const concur_status s = host_->take(worker_, &task, 0);
      if (s == CONCUR_OK) {
        visit(task);
        continue;
      }
      slots_.release();
      if (s != CONCUR_AGAIN) break;  // finished (or aborted)
      co_await progress_.wait();     // pages in flight may bring new links
    }
    driving_ = false;
  }

  bool finished() const { return !driving_ && visits_ == 0; }

  // The end of a loop turn: the pages parked in it are solved together.
  void solve_parked() {
    while (!batch_.empty()) blocked_s_ += batch_.flush(host_, worker_);
  }

  void report() const {
    host_->metric(run_, "in_flight_high_water", static_cast<double>(high_water_),
                  CONCUR_METRIC_MAX);
    host_->metric(run_, "loop_blocked_s", blocked_s_, CONCUR_METRIC_ADD);
    if (batch_.batches() > 0)
      host_->metric(run_, "lanes_batches", static_cast<double>(batch_.batches()),
                    CONCUR_METRIC_ADD);
  }

 private:
  Spawned visit(concur_task *task) {
    high_water_ = std::max(high_water_, ++visits_);
    const concur_status fetched = co_await FetchAwaiter(host_, loop_, task);
    if (fetched == CONCUR_OK && host_->interpret(worker_, task) == CONCUR_OK &&
        host_->work_count(task) > 0) {
      if (threads_ || processes_)
        co_await SolveAwaiter(threads_, processes_, task);
      else if (lanes_)
        co_await ParkAwaiter(&batch_, task);
      else
        solve_inline(task);
    }
    host_->complete(worker_, task);
    --visits_;
    slots_.release();
    progress_.notify_all();
  }

  // The loop thread does the CPU work: nothing else moves meanwhile.
  void solve_inline(concur_task *task) {
    const auto start = std::chrono::steady_clock::now();
    concur_plugins::solve_page(host_, worker_, task, false);
    blocked_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  const concur_host *host_;
  concur_run *run_;
  concur_worker *worker_;
  concur_loop *loop_;
  Semaphore slots_;
  const bool lanes_;
  Signal progress_;
  concur_plugins::InlineBatch batch_;  // lanes, inline: this turn's puzzles
  concur_plugins::SolverPool *threads_ = nullptr;
  ProcessPool *processes_ = nullptr;
  bool driving_ = true;
  size_t visits_ = 0, high_water_ = 0;
  double blocked_s_ = 0;
};

Executor executor_kind(const char *name) {
  if (std::strcmp(name, "threads") == 0) return Executor::threads;
  if (std::strcmp(name, "processes") == 0) return Executor::processes;
  return Executor::inline_;
}

size_t executor_size(const concur_host *host, concur_run *run) {
  const int64_t n = host->option_int(run, "executor_workers");
  return n > 0 ? static_cast<size_t>(n) : std::max(1u, std::thread::hardware_concurrency());
}

// Drives the loop until every visit is over. False: the loop itself failed.
bool crawl(const concur_host *host, Crawler &crawler, concur_loop *loop) {
  crawler.drive();
  for (;;) {
    crawler.solve_parked();
    if (crawler.finished()) break;
    if (host->loop_run(loop, -1) != CONCUR_OK) return false;
  }
  crawler.report();
  return true;
}

int run(const concur_host *host, concur_run *run, char *err, size_t err_size) {
  const Executor kind = executor_kind(host->option_string(run, "executor"));
  const bool lanes = host->option_bool(run, "lanes");
  if (const char *why = concur_plugins::lanes_refusal(host, lanes)) {
    std::snprintf(err, err_size, "%s", why);
    return 1;
  }
  if (lanes && kind == Executor::processes) {
    std::snprintf(err, err_size, "lanes=true works with executor inline or threads, not processes");
    return 1;
  }
  concur_worker *worker = host->worker_open(run);
  concur_loop *loop = worker ? host->loop_open(worker) : nullptr;
  if (loop == nullptr) {  // the run was aborted before it began
    host->worker_close(worker);
    return 0;
  }
  // Children are forked before any thread of ours exists.
  std::unique_ptr<ProcessPool> processes;
  std::unique_ptr<concur_plugins::SolverPool> threads;
  if (kind == Executor::processes)
    processes = std::make_unique<ProcessPool>(host, run, loop, executor_size(host, run));
  if (kind == Executor::threads)
    threads = std::make_unique<concur_plugins::SolverPool>(host, run, loop,
                                                           executor_size(host, run), lanes);
  int rc = 0;
  if ((processes && !processes->usable()) || (threads && !threads->usable())) {
    std::snprintf(err, err_size, "could not start the %s executor",
                  host->option_string(run, "executor"));
    rc = 1;
  } else {
    Crawler crawler(host, run, worker, loop,
                    static_cast<size_t>(host->option_int(run, "concurrency")), lanes);
    if (threads) crawler.use(threads.get());
    if (processes) crawler.use(processes.get());
    if (!crawl(host, crawler, loop)) {
      std::snprintf(err, err_size, "the event loop failed");
      rc = 1;
    }
  }
  if (threads && lanes && threads->batches() > 0)
    host->metric(run, "lanes_batches", static_cast<double>(threads->batches()), CONCUR_METRIC_ADD);
  threads.reset();
  processes.reset();
  host->loop_close(loop);
  host->worker_close(worker);
  return rc;
}

const concur_option_spec kOptions[] = {
    {.name = "concurrency",
     .type = CONCUR_OPT_INT,
     .default_value = "100",
     .help = "pages in flight at once (the asyncio.Semaphore)",
     .min = 1,
     .max = 100000},
    {.name = "executor",
     .type = CONCUR_OPT_STRING,
     .default_value = "inline",
     .help = "where puzzles are solved: inline (on the loop thread; the loop stalls), threads, "
             "processes",
     .choices = "inline|threads|processes",
     CONCUR_UNBOUNDED},
    {.name = "executor_workers",
     .type = CONCUR_OPT_INT,
     .default_value = "0",
     .help = "threads or processes of the executor; 0 = one per core",
     .min = 0,
     .max = 1024},
    {.name = "lanes",
     .type = CONCUR_OPT_BOOL,
     .default_value = "false",
     .help = "solve md5 chains together in SIMD lanes: inline, every puzzle that arrived in one "
             "turn of the loop; on an executor thread, a page's chains, and queued pages of "
             "its size when there is a backlog (executor inline or threads)",
     CONCUR_UNBOUNDED},
};

const concur_plugin kDescriptor = {
    CONCUR_PLUGIN_INIT,  // abi_version and struct_size
    .name = "async",
    .version = "1.0",
    .description =
        "one thread: an event loop and a coroutine per page, puzzles inline or in an executor",
    .options = kOptions,
    .option_count = std::size(kOptions),
    .run = run,
};

}  // namespace
}  // namespace concur_async

extern "C" CONCUR_EXPORT const concur_plugin *concur_plugin_entry(void) {
  return &concur_async::kDescriptor;
}
