// Solving off the loop thread, for the event-driven strategies (async's
// `executor: threads`, fibers' `cpu_offload`): the loop thread hands a task's
// work units to a pool of OS threads, each with its own host worker, and the
// pool posts the task's callback back to the loop once its last unit is
// solved. The units of one core page are solved in parallel — or, with
// `lanes`, together on one thread in SIMD lanes (the host's solve_tasks, ABI
// 1.1: less CPU, one core per page). With `lanes`, a thread also takes the
// next queued tasks along with its own when there is a backlog, so their
// chains share the vectors (see take_batch). Queued work goes most urgent
// task first (the host's task_urgency, ABI 1.3; a host without it: first
// come, first served), a task's units side by side.
//
// Header-only and plugin-side: of concur it uses nothing but the C host table.
#pragma once

#include <concur/plugin.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <queue>
#include <string_view>
#include <thread>
#include <vector>

namespace concur_plugins {

class SolverPool {
 public:
  // Opens one worker per thread here, on the loop's thread; each is handed to
  // its thread when the thread starts, and closed here after it is joined.
  // `lanes` needs CONCUR_HOST_HAS(host, solve_tasks): the caller checks.
  SolverPool(const concur_host *host, concur_run *run, concur_loop *loop, size_t threads,
             bool lanes = false)
      : host_(host), loop_(loop), lanes_(lanes), max_lanes_(widest_lanes()) {
    for (size_t i = 0; i < threads; ++i) {
      concur_worker *worker = host->worker_open(run);
      if (worker == nullptr) break;  // the run was aborted
      workers_.push_back(worker);
    }
    for (concur_worker *worker : workers_) threads_.emplace_back([this, worker] { work(worker); });
  }

  ~SolverPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto &t : threads_) t.join();
    for (concur_worker *worker : workers_) host_->worker_close(worker);
  }

  SolverPool(const SolverPool &) = delete;
  SolverPool &operator=(const SolverPool &) = delete;

  // False when no thread could start (the run was aborted).
  bool usable() const { return !threads_.empty(); }

  // solve_tasks calls made so far (lanes only): how often tasks were batched.
  size_t batches() {
    std::lock_guard lock(mutex_);
    return batches_;
  }

  // Loop thread: solves every unit of `task` (work_count > 0); done(user, OK)
  // runs on the loop's thread after the last one.
  void solve(concur_task *task, concur_callback done, void *user) {
    auto group = std::make_shared<Group>();
    const size_t units = host_->work_count(task);
    group->left = lanes_ ? 1 : units;
    group->done = done;
    group->user = user;
    double urgency = CONCUR_HOST_HAS(host_, task_urgency) ? host_->task_urgency(task) : 0;
    if (std::isnan(urgency)) urgency = 0;  // the queue's order needs comparable keys
    {
      std::lock_guard lock(mutex_);
      for (size_t i = 0; i < group->left; ++i)
        jobs_.push({urgency, next_++, task, lanes_ ? kEveryUnit : i, units, group});
    }
    ready_.notify_all();
  }

 private:
  struct Group {
    size_t left = 0;  // guarded by the pool's mutex
    concur_callback done = nullptr;
    void *user = nullptr;
  };
  static constexpr size_t kEveryUnit = SIZE_MAX;  // a job of the whole task, in lanes
  struct Job {
    double urgency;
    uint64_t order;  // arrival: first come, first served among equals
    concur_task *task;
    size_t index;  // the unit, or kEveryUnit
    size_t units;  // the task's work_count
    std::shared_ptr<Group> group;
  };
  // priority_queue's top is the largest: the most urgent, then the earliest.
  struct LessUrgent {
    bool operator()(const Job &a, const Job &b) const {
      return a.urgency != b.urgency ? a.urgency < b.urgency : a.order > b.order;
    }
  };

  // The host's widest md5 vector, found as the host finds it (md5_lanes.cpp:
  // the CPU's AVX-512, AVX2 or SSE2, capped by CONCUR_MD5_LANES). A batch
  // holds no more chains: more would take a second vector step, and the
  // first task would wait for it.
  static size_t widest_lanes() {
    size_t width = 4;  // SSE2's, or the portable kernel's
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
      width = 16;
    else if (__builtin_cpu_supports("avx2"))
      width = 8;
#endif
    if (const char *cap = std::getenv("CONCUR_MD5_LANES")) {
      const std::string_view level(cap);
      if (level == "scalar") width = 1;
      if (level == "sse2") width = std::min<size_t>(width, 4);
      if (level == "avx2") width = std::min<size_t>(width, 8);
    }
    return width;
  }

  void work(concur_worker *worker) {
    std::vector<Job> batch;
    std::vector<concur_task *> tasks;
    for (;;) {
      batch.clear();
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopping, and nothing left
        take_batch(batch);
      }
      if (batch.front().index == kEveryUnit) {
        tasks.clear();
        for (const Job &job : batch) tasks.push_back(job.task);
        host_->solve_tasks(worker, tasks.data(), tasks.size());
      } else {
        host_->solve(worker, batch.front().task, batch.front().index);
      }
      for (const Job &job : batch) {
        bool last = false;
        {
          std::lock_guard lock(mutex_);
          last = --job.group->left == 0;
        }
        if (last) host_->loop_post(loop_, job.group->done, job.group->user);
      }
    }
  }

  // Under the mutex: the most urgent job, and with lanes the next most urgent
  // whole tasks too (a prefix of the queue's order), while:
  // - they have as many units as the first: tasks of one kind, whose chains
  //   in the demo server's profiles have one length and share vectors (one of
  //   another length would run after the first's in the same call, and the
  //   first's completion would wait for it);
  // - the chains fit the widest vector;
  // - each other thread still finds a job queued, busy or not (one about to
  //   finish would otherwise find nothing while this one works through two).
  // A backlog is solved in a fraction of the CPU this way (docs/benchmarks.md);
  // a short queue keeps one task per thread.
  void take_batch(std::vector<Job> &batch) {
    batch.push_back(jobs_.top());
    jobs_.pop();
    size_t units = batch.front().units;
    if (batch.front().index == kEveryUnit) ++batches_;
    while (lanes_ && !jobs_.empty() && jobs_.size() >= workers_.size() &&
           jobs_.top().units == batch.front().units && units + jobs_.top().units <= max_lanes_) {
      units += jobs_.top().units;
      batch.push_back(jobs_.top());
      jobs_.pop();
    }
  }

  const concur_host *host_;
  concur_loop *loop_;
  const bool lanes_;
  std::vector<concur_worker *> workers_;
  std::vector<std::thread> threads_;
  const size_t max_lanes_;  // chains in a batch at most
  std::mutex mutex_;        // guards jobs_, next_, batches_, stopping_ and every Group's `left`
  std::condition_variable ready_;
  std::priority_queue<Job, std::vector<Job>, LessUrgent> jobs_;
  uint64_t next_ = 0;
  size_t batches_ = 0;  // solve_tasks calls
  bool stopping_ = false;
};

}  // namespace concur_plugins
