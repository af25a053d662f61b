// Solving a page's puzzle on the calling thread, shared by the strategies that
// offer `lanes`: unit by unit, or every unit at once in SIMD lanes (the host's
// solve_tasks, ABI 1.1) — a core page's chains then run side by side.
//
// Header-only and plugin-side: it uses nothing but the C host table.
#pragma once

#include <concur/plugin.h>

#include <cstddef>

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

}  // namespace concur_plugins
