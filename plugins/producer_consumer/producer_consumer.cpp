// producer_consumer: two stages joined by a bounded queue. `producers` I/O
// threads take pages, fetch and read them; a page without a puzzle is
// completed there and then, so its links reach the frontier without waiting
// behind puzzles. A puzzle goes to the queue as one job per chain, side by
// side (a core page's four chains: four jobs that up to four `consumers` CPU
// threads solve at once); whoever solves a page's last chain completes it,
// which sends its links back to the producers' frontier. Chains are solved
// most urgent page first (the host's task_urgency): the pages a puzzle's
// links lead to start sooner when they matter most. When consumers fall
// behind, the full queue blocks the producers: the time they spend blocked,
// and the queue's high-water mark, become the run's metrics — backpressure
// made visible.
#include <concur/plugin.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <mutex>
#include <queue>
#include <system_error>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// A page whose puzzle is in the queue: its chains still to solve.
struct Puzzle {
  concur_task *task;
  std::atomic<size_t> left;
};

// One chain of a page's puzzle.
struct Job {
  Puzzle *puzzle = nullptr;
  size_t unit = 0;
};

// Counts a chain of `job`'s page done (solved, or dropped by an aborted run);
// true for the page's last one, whose caller then owns the Puzzle.
bool last_chain(const Job &job) {
  return job.puzzle->left.fetch_sub(1) == 1;
}

// The queue between the stages, most urgent page first (the host's
// task_urgency, ABI 1.3; without it every page's is 0: first come, first
// served). When it is full, waiting producers are let in in the same order.
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}

  // Every chain of `puzzle` at once, side by side with the page's others
  // (only a more urgent page's chains, queued later, go before the rest):
  // chains of other pages pushed in between would put off the page's
  // completion, and its links. Blocks until they all fit (or, more chains
  // than the capacity, until the queue is empty) and no more urgent page is
  // waiting; returns the seconds spent blocked.
  double push(Puzzle *puzzle, size_t chains, double urgency) {
    std::unique_lock lock(mutex_);
    Waiter me{puzzle, chains, urgency, arrivals_++};
    // In line with whoever waits already: it goes in now if nobody more
    // urgent is waiting and its chains fit.
    waiting_.push(&me);
    admit_waiting();
    if (me.in) return 0;
    const auto start = Clock::now();
    me.admitted.wait(lock, [&] { return me.in; });
    return std::chrono::duration<double>(Clock::now() - start).count();
  }

  // The next job; false once the queue is closed and drained.
  bool pop(Job &job) {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return false;
    job = queue_.top().job;
    queue_.pop();
    admit_waiting();
    return true;
  }

  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
  }

  size_t high_water() {
    std::lock_guard lock(mutex_);
    return high_water_;
  }

 private:
  // A producer blocked in push(), on its own condition variable, so that the
  // one let in is the one woken.
  struct Waiter {
    Puzzle *puzzle;
    size_t chains;
    double urgency;
    uint64_t arrival;
    std::condition_variable admitted = {};
    bool in = false;
  };
  struct LaterWaiter {  // priority_queue's top: most urgent, then first come
    bool operator()(const Waiter *a, const Waiter *b) const {
      return a->urgency != b->urgency ? a->urgency < b->urgency : a->arrival > b->arrival;
    }
  };
  struct Queued {
    double urgency;
    uint64_t order;
    Job job;
  };
  struct LaterQueued {
    bool operator()(const Queued &a, const Queued &b) const {
      return a.urgency != b.urgency ? a.urgency < b.urgency : a.order > b.order;
    }
  };

  bool fits(size_t chains) const { return queue_.empty() || queue_.size() + chains <= capacity_; }

  void enqueue(const Waiter &w) {
    for (size_t unit = 0; unit < w.chains; ++unit)
      queue_.push({w.urgency, queued_++, Job{w.puzzle, unit}});
    if (queue_.size() > high_water_) high_water_ = queue_.size();
    if (w.chains == 1)
      not_empty_.notify_one();
    else
      not_empty_.notify_all();
  }

  // The most urgent waiting producers, while their chains fit.
  void admit_waiting() {
    while (!waiting_.empty() && fits(waiting_.top()->chains)) {
      Waiter *w = waiting_.top();
      waiting_.pop();
      enqueue(*w);
      w->in = true;
      w->admitted.notify_one();
    }
  }

  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::priority_queue<Queued, std::vector<Queued>, LaterQueued> queue_;
  std::priority_queue<Waiter *, std::vector<Waiter *>, LaterWaiter> waiting_;
  uint64_t arrivals_ = 0, queued_ = 0;
  const size_t capacity_;
  size_t high_water_ = 0;
  bool closed_ = false;
};

void produce(const concur_host *host, concur_run *run, BoundedQueue &queue) {
  concur_worker *worker = host->worker_open(run);
  if (worker == nullptr) return;
  double blocked = 0;
  concur_task *task = nullptr;
  while (host->take(worker, &task, 1) == CONCUR_OK) {
    const size_t chains =
        host->fetch(worker, task) == CONCUR_OK && host->interpret(worker, task) == CONCUR_OK
            ? host->work_count(task)
            : 0;
    if (chains == 0) {  // no puzzle, or a failed page: nothing for the consumers
      host->complete(worker, task);
      continue;
    }
    double urgency = CONCUR_HOST_HAS(host, task_urgency) ? host->task_urgency(task) : 0;
    if (std::isnan(urgency)) urgency = 0;  // the queue's order needs comparable keys
    blocked += queue.push(new Puzzle{task, chains}, chains, urgency);
  }
  host->metric(run, "producer_blocked_s", blocked, CONCUR_METRIC_ADD);
  host->worker_close(worker);
}

void consume(const concur_host *host, concur_run *run, BoundedQueue &queue) {
  concur_worker *worker = host->worker_open(run);
  Job job;
  if (worker == nullptr) {
    // The run was aborted before this thread began. Keep draining so no
    // producer stays blocked on a full queue; the host reclaims the tasks.
    while (queue.pop(job))
      if (last_chain(job)) delete job.puzzle;
    return;
  }
  while (queue.pop(job)) {
    host->solve(worker, job.puzzle->task, job.unit);
    if (!last_chain(job)) continue;
    host->complete(worker, job.puzzle->task);
    delete job.puzzle;
  }
  host->worker_close(worker);
}

int run(const concur_host *host, concur_run *run, char *err, size_t err_size) {
  const auto producers = static_cast<size_t>(host->option_int(run, "producers"));
  const auto consumers = static_cast<size_t>(host->option_int(run, "consumers"));
  BoundedQueue queue(static_cast<size_t>(host->option_int(run, "queue_capacity")));
  std::vector<std::thread> producing, consuming;
  int rc = 0;
  try {
    for (size_t i = 0; i < consumers; ++i)
      consuming.emplace_back(consume, host, run, std::ref(queue));
    for (size_t i = 0; i < producers; ++i)
      producing.emplace_back(produce, host, run, std::ref(queue));
  } catch (const std::system_error &e) {
    std::snprintf(err, err_size, "could not start every thread: %s", e.what());
    rc = 1;
  }
  // Producers stop when the crawl is finished — every queued task counts as in
  // flight, so by then consumers have drained the queue, or the page limit was
  // reached and they drain what is left after close().
  for (auto &t : producing) t.join();
  queue.close();
  for (auto &t : consuming) t.join();
  host->metric(run, "queue_high_water", static_cast<double>(queue.high_water()), CONCUR_METRIC_MAX);
  if (rc == 0 && consuming.empty() && !producing.empty()) rc = 1;
  return rc;
}

const concur_option_spec kOptions[] = {
    {.name = "producers",
     .type = CONCUR_OPT_INT,
     .default_value = "8",
     .help = "I/O threads: take, fetch and read pages; complete those without a puzzle",
     .min = 1,
     .max = 4096},
    {.name = "consumers",
     .type = CONCUR_OPT_INT,
     .default_value = "2",
     .help = "CPU threads: solve puzzles, a chain at a time",
     .min = 1,
     .max = 4096},
    {.name = "queue_capacity",
     .type = CONCUR_OPT_INT,
     .default_value = "16",
     .help = "puzzle chains waiting for a consumer, at most",
     .min = 1,
     .max = 1000000},
};

const concur_plugin kDescriptor = {
    CONCUR_PLUGIN_INIT,  // abi_version and struct_size
    .name = "producer_consumer",
    .version = "1.0",
    .description = "I/O threads fetch, CPU threads solve, joined by a bounded queue",
    .options = kOptions,
    .option_count = std::size(kOptions),
    .run = run,
};

}  // namespace

extern "C" CONCUR_EXPORT const concur_plugin *concur_plugin_entry(void) {
  return &kDescriptor;
}
