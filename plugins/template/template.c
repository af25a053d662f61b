/* template: the smallest correct strategy, to copy. `concur new-plugin NAME`
 * makes a folder from this file with every "template" replaced by NAME.
 *
 * A strategy decides only HOW pages are scheduled. Everything an experiment
 * means — the frontier, de-duplication, max_pages, fetching with the retry
 * policy, parsing pages, the md5 puzzles, measurement — is the host's, reached
 * through the table `host` passed to run(). This one does a page's whole life
 * on one thread, page after page: the sequential baseline. Make it yours by
 * changing run(): more workers on threads you start (one worker per thread),
 * forked processes (send_task/receive_outcome), or an event loop (loop_open,
 * fetch_start, loop_run). docs/plugin-guide.md has the rules; the conformance
 * suite checks them:
 *   CONCUR_CONFORMANCE_PLUGIN=/path/to/template.so build/plugin_conformance
 *
 * Plain C11 against one header: the ABI is C, so a plugin needs no C++ and
 * links nothing of concur. */
#include <concur/plugin.h>
#include <stdio.h>

/* Options: declared here, validated and filled by the host from the YAML
 * (`- plugin: template` then `report_every: 100`). Lists in the YAML expand
 * into one run per value. `concur plugins --describe template` shows them.
 * Designated initializers name each field; one left out is zero (NULL). */
static const concur_option_spec options[] = {
    {.name = "report_every",
     .type = CONCUR_OPT_INT,
     .default_value = "0",
     .help = "log a line every N pages (0: never) - an example option",
     /* inclusive bounds; for none, write CONCUR_UNBOUNDED in their place */
     .min = 0,
     .max = 1000000},
};

/* One run, start to finish. Contract: take tasks until take() says
 * CONCUR_FINISHED, pass every task taken to complete() exactly once, close
 * every worker opened, and return 0 (nonzero with a message in err only when
 * the strategy itself failed, not when pages did: the host counts those). */
static int run(const concur_host *host, concur_run *run, char *err, size_t err_size) {
  (void)err;
  (void)err_size;
  const long long report_every = (long long)host->option_int(run, "report_every");

  /* A worker is a thread's context: its HTTP connection and its counters.
   * NULL means the run was aborted before it began: nothing to do. */
  concur_worker *worker = host->worker_open(run);
  if (worker == NULL) return 0;

  long long pages = 0;
  concur_task *task = NULL;
  /* wait = 1: block until a page is ready or the run is over. */
  while (host->take(worker, &task, 1) == CONCUR_OK) {
    /* fetch: the I/O, blocking, retries included. interpret: the links and
     * the CPU work the page asks for. A failed page is still completed. */
    if (host->fetch(worker, task) == CONCUR_OK && host->interpret(worker, task) == CONCUR_OK) {
      /* A cpu page has one unit of md5 work, a core page several
       * independent ones: a parallel strategy would spread them. A service
       * newer than ABI 1.0 must be checked for first, e.g. solving all the
       * units at once in SIMD lanes (1.1):
       *   if (CONCUR_HOST_HAS(host, solve_tasks)) host->solve_tasks(worker, &task, 1); */
      size_t units = host->work_count(task);
      for (size_t i = 0; i < units; ++i) host->solve(worker, task, i);
    }
    /* complete: the host queues the page's links (or its puzzle's answer). */
    host->complete(worker, task);

    if (report_every > 0 && ++pages % report_every == 0) {
      char line[64];
      snprintf(line, sizeof line, "%lld pages done", pages);
      host->log(run, CONCUR_LOG_INFO, line);
    }
  }
  /* A figure of this strategy's own: it becomes part of the row's metrics. */
  host->metric(run, "pages_by_template", (double)pages, CONCUR_METRIC_ADD);
  host->worker_close(worker);
  return 0;
}

/* The descriptor: what the host reads first. The header fields let the host
 * refuse a plugin built against another ABI by name instead of crashing.
 * Left out, and so NULL: init (optional, called once after loading; nonzero
 * refuses the plugin) and serve (work for processes on other hosts). */
static const concur_plugin descriptor = {
    CONCUR_PLUGIN_INIT, /* abi_version and struct_size */
    .name = "template", /* what configs write: [a-z0-9_]+, the same as the file name */
    .version = "1.0",
    .description = "one page at a time, heavily commented: copy it with concur new-plugin NAME",
    .options = options,
    .option_count = sizeof options / sizeof options[0],
    .run = run,
};

/* The one exported symbol. */
CONCUR_EXPORT const concur_plugin *concur_plugin_entry(void) {
  return &descriptor;
}
