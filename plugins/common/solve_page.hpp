// Solving puzzles on the calling thread, shared by the strategies that offer
// `lanes`: a page unit by unit, or every unit at once in SIMD lanes (the
// host's solve_tasks, ABI 1.1) — a core page's chains then run side by side —
// or, on an event loop's thread, every page of a turn at once (InlineBatch).
//
// Header-only and plugin-side: it uses nothing but the C host table.
#pragma once

#include <concur/plugin.h>

#include <chrono>
#include <cstddef>
#include <vector>

namespace concur_plugins {

// Why `lanes` cannot be had from this host, or nullptr when it can (or is not
// asked for): solve_tasks came with ABI 1.1, and an older host's table ends
// before it.
inline const char *lanes_refusal(const concur_host *host, bool lanes) {
  return lanes && !CONCUR_HOST_HAS(host, solve_tasks)
             ? "lanes=true needs a host with solve_tasks (a newer concur)"
             : nullptr;
}

inline void solve_page(const concur_host *host, concur_worker *worker, concur_task *task,
                       bool lanes) {
  if (lanes && host->work_count(task) > 0) {
    host->solve_tasks(worker, &task, 1);
    return;
  }
  for (size_t i = 0; i < host->work_count(task); ++i) host->solve(worker, task, i);
}

// The puzzles of an event loop's turn, solved together on the loop's thread:
// the strategies that solve inline with `lanes` park each page whose puzzle
// is ready, and once the loop has run every callback of the turn, solve them
// all in one solve_tasks call. Several pages' chains then share the vectors
// (a cpu page alone has one chain, too few to fill any), and the loop stalls
// once per turn instead of once per page.
class InlineBatch {
 public:
  void park(concur_task *task, concur_callback done, void *user) {
    parked_.push_back({task, done, user});
  }
  bool empty() const { return parked_.empty(); }
  size_t batches() const { return batches_; }

  // Solves every parked page (work_count > 0 each), then calls each one's
  // done(user, status of the solve) in the order they were parked. Returns
  // the seconds spent solving. A callback may park again: that page waits for
  // the next flush.
  double flush(const concur_host *host, concur_worker *worker) {
    std::vector<Parked> batch;
    batch.swap(parked_);
    std::vector<concur_task *> tasks;
    tasks.reserve(batch.size());
    for (const Parked &p : batch) tasks.push_back(p.task);
    const auto start = std::chrono::steady_clock::now();
    const concur_status status =
        tasks.empty() ? CONCUR_OK : host->solve_tasks(worker, tasks.data(), tasks.size());
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    batches_ += tasks.empty() ? 0 : 1;
    for (const Parked &p : batch) p.done(p.user, status);
    return took;
  }

 private:
  struct Parked {
    concur_task *task;
    concur_callback done;
    void *user;
  };
  std::vector<Parked> parked_;
  size_t batches_ = 0;
};

}  // namespace concur_plugins
