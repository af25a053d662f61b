// Solving off the loop thread, for the event-driven strategies (async's
// `executor: threads`, fibers' `cpu_offload`): the loop thread hands a task's
// work units to a pool of OS threads, each with its own host worker, and the
// pool posts the task's callback back to the loop once its last unit is
// solved. The units of one core page are solved in parallel — or, with
// `lanes`, together on one thread in SIMD lanes (the host's solve_tasks, ABI
// 1.1: less CPU, one core per page). Queued work goes most urgent task first
// (the host's task_urgency, ABI 1.3; a host without it: first come, first
// served), a task's units side by side.
//
// Header-only and plugin-side: it uses nothing but the C host table.
#pragma once

#include <concur/plugin.h>

#include <cmath>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <queue>
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
      : host_(host), loop_(loop), lanes_(lanes) {
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

  // Loop thread: solves every unit of `task` (work_count > 0); done(user, OK)
  // runs on the loop's thread after the last one.
  void solve(concur_task *task, concur_callback done, void *user) {
    auto group = std::make_shared<Group>();
    group->left = lanes_ ? 1 : host_->work_count(task);
    group->done = done;
    group->user = user;
    double urgency = CONCUR_HOST_HAS(host_, task_urgency) ? host_->task_urgency(task) : 0;
    if (std::isnan(urgency)) urgency = 0;  // the queue's order needs comparable keys
    {
      std::lock_guard lock(mutex_);
      for (size_t i = 0; i < group->left; ++i)
        jobs_.push({urgency, next_++, task, lanes_ ? kEveryUnit : i, group});
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
    std::shared_ptr<Group> group;
  };
  // priority_queue's top is the largest: the most urgent, then the earliest.
  struct LessUrgent {
    bool operator()(const Job &a, const Job &b) const {
      return a.urgency != b.urgency ? a.urgency < b.urgency : a.order > b.order;
    }
  };

  void work(concur_worker *worker) {
    for (;;) {
      Job job{};
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopping, and nothing left
        job = jobs_.top();
        jobs_.pop();
      }
      if (job.index == kEveryUnit)
        host_->solve_tasks(worker, &job.task, 1);
      else
        host_->solve(worker, job.task, job.index);
      bool last = false;
      {
        std::lock_guard lock(mutex_);
        last = --job.group->left == 0;
      }
      if (last) host_->loop_post(loop_, job.group->done, job.group->user);
    }
  }

  const concur_host *host_;
  concur_loop *loop_;
  const bool lanes_;
  std::vector<concur_worker *> workers_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;  // guards jobs_, next_, stopping_ and every Group's `left`
  std::condition_variable ready_;
  std::priority_queue<Job, std::vector<Job>, LessUrgent> jobs_;
  uint64_t next_ = 0;
  bool stopping_ = false;
};

}  // namespace concur_plugins
