/* sequential: the baseline. One worker does each page's whole life in turn —
 * take, fetch, interpret, solve, complete — so every wait is paid in full.
 * Written in C to show that the ABI needs nothing else. */
#include <concur/plugin.h>

static int run(const concur_host *host, concur_run *run, char *err, size_t err_size) {
  (void)err;
  (void)err_size;
  concur_worker *worker = host->worker_open(run);
  if (worker == NULL) return 0; /* the run was aborted before it began */

  concur_task *task = NULL;
  while (host->take(worker, &task, 1) == CONCUR_OK) {
    if (host->fetch(worker, task) == CONCUR_OK && host->interpret(worker, task) == CONCUR_OK) {
      size_t units = host->work_count(task);
      for (size_t i = 0; i < units; ++i) host->solve(worker, task, i);
    }
    host->complete(worker, task);
  }
  host->worker_close(worker);
  return 0;
}

static const concur_plugin descriptor = {
    CONCUR_PLUGIN_INIT, /* abi_version and struct_size */
    .name = "sequential",
    .version = "1.0",
    .description = "one page at a time, in breadth-first order: the baseline",
    .run = run,
};

CONCUR_EXPORT const concur_plugin *concur_plugin_entry(void) {
  return &descriptor;
}
