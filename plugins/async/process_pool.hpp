// async's `executor: processes` — the course's run_in_executor with a
// ProcessPoolExecutor. Forked children solve whole pages: the host's wire
// services carry the interpreted page to a child and its answers back. In the
// parent, one helper thread per child does the blocking send and receive and
// posts the task's callback to the loop. A child that dies is not replaced
// (forking from a threaded process is asking for trouble): its helper solves
// the pages itself from then on, and the run counts `executor_crashes`.
#pragma once

#include <concur/plugin.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "child_process.hpp"

namespace concur_async {

class ProcessPool {
 public:
  // Forks every child here, before any helper thread exists.
  ProcessPool(const concur_host *host, concur_run *run, concur_loop *loop, size_t children)
      : host_(host), run_(run), loop_(loop) {
    host->metric(run, "executor_crashes", 0, CONCUR_METRIC_ADD);
    for (size_t i = 0; i < children; ++i) {
      Child c;
      c.worker = host->worker_open(run);  // the child's counters land on the parent's copy
      if (c.worker == nullptr) break;
      if (!spawn(c)) {
        host->worker_close(c.worker);
        break;
      }
      children_.push_back(c);
    }
    for (Child &c : children_) helpers_.emplace_back([this, &c] { serve(c); });
  }

  ~ProcessPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto &t : helpers_) t.join();
    for (Child &c : children_) {
      close(c.fd);  // end of stream: the child exits
      concur_plugins::wait_for_child(c.pid);
      host_->worker_close(c.worker);
    }
  }

  ProcessPool(const ProcessPool &) = delete;
  ProcessPool &operator=(const ProcessPool &) = delete;

  bool usable() const { return !children_.empty(); }

  // Loop thread: the whole page goes to one child; done(user, OK) runs on the
  // loop's thread when its answers are back in `task`.
  void solve(concur_task *task, concur_callback done, void *user) {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back({task, done, user});
    }
    ready_.notify_one();
  }

 private:
  struct Child {
    pid_t pid = -1;
    int fd = -1;
    concur_worker *worker = nullptr;
    bool crashed = false;  // touched by its helper thread only
  };
  struct Job {
    concur_task *task;
    concur_callback done;
    void *user;
  };

  bool spawn(Child &c) {
    return concur_plugins::fork_child(c.pid, c.fd, [&](int fd) { child_main(c.worker, fd); });
  }

  [[noreturn]] void child_main(concur_worker *worker, int fd) {
    concur_task *task = nullptr;
    while (host_->receive_task(worker, fd, &task) == CONCUR_OK) {
      for (size_t i = 0; i < host_->work_count(task); ++i) host_->solve(worker, task, i);
      if (host_->send_outcome(worker, task, fd) != CONCUR_OK) break;
    }
    _exit(0);
  }

  void serve(Child &c) {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = jobs_.front();
        jobs_.pop_front();
      }
      const bool solved_by_child = !c.crashed && host_->send_task(job.task, c.fd) == CONCUR_OK &&
                                   host_->receive_outcome(c.worker, job.task, c.fd) == CONCUR_OK;
      if (!solved_by_child) solve_here(c, job.task);
      host_->loop_post(loop_, job.done, job.user);
    }
  }

  // The child is gone; the task is as it was sent. Solve it on this thread.
  void solve_here(Child &c, concur_task *task) {
    if (!c.crashed) {
      c.crashed = true;
      host_->metric(run_, "executor_crashes", 1, CONCUR_METRIC_ADD);
      host_->log(run_, CONCUR_LOG_WARN, "an executor process died; solving its share in-process");
    }
    for (size_t i = 0; i < host_->work_count(task); ++i) host_->solve(c.worker, task, i);
  }

  const concur_host *host_;
  concur_run *run_;
  concur_loop *loop_;
  std::vector<Child> children_;
  std::vector<std::thread> helpers_;
  std::mutex mutex_;  // guards jobs_ and stopping_
  std::condition_variable ready_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
};

}  // namespace concur_async
