// threads: a pool of `workers` OS threads sharing core's frontier. Each thread
// owns one host worker (so its own keep-alive connection) and lives each page's
// whole life itself: take, fetch, interpret, solve, complete. Blocking calls
// are fine here — while one thread waits on the network, the others run. This
// is the course's ThreadPoolExecutor crawler, minus the GIL: puzzles solved on
// different threads really run in parallel.
#include <concur/plugin.h>

#include <cstddef>
#include <cstdio>
#include <iterator>
#include <system_error>
#include <thread>
#include <vector>

#include "solve_page.hpp"

namespace {

void crawl(const concur_host *host, concur_run *run, bool lanes) {
  concur_worker *worker = host->worker_open(run);
  if (worker == nullptr) return;
  concur_task *task = nullptr;
  // wait = 1: an idle thread sleeps until a page is queued or the crawl ends.
  while (host->take(worker, &task, 1) == CONCUR_OK) {
    if (host->fetch(worker, task) == CONCUR_OK && host->interpret(worker, task) == CONCUR_OK)
      concur_plugins::solve_page(host, worker, task, lanes);
    host->complete(worker, task);
  }
  host->worker_close(worker);
}

int run(const concur_host *host, concur_run *run, char *err, size_t err_size) {
  const auto workers = static_cast<size_t>(host->option_int(run, "workers"));
  const bool lanes = host->option_bool(run, "lanes");
  if (const char *why = concur_plugins::lanes_refusal(host, lanes)) {
    std::snprintf(err, err_size, "%s", why);
    return 1;
  }
  std::vector<std::thread> pool;
  pool.reserve(workers);
  try {
    for (size_t i = 0; i < workers; ++i) pool.emplace_back(crawl, host, run, lanes);
  } catch (const std::system_error &e) {
    // The threads already started finish the crawl; report the shortfall.
    std::snprintf(err, err_size, "could start only %zu of %zu threads: %s", pool.size(), workers,
                  e.what());
  }
  for (auto &t : pool) t.join();
  return pool.size() == workers ? 0 : 1;
}

const concur_option_spec kOptions[] = {
    {.name = "workers",
     .type = CONCUR_OPT_INT,
     .default_value = "4",
     .help = "threads crawling at once, each with its own connection",
     .min = 1,
     .max = 4096},
    {.name = "lanes",
     .type = CONCUR_OPT_BOOL,
     .default_value = "false",
     .help =
         "solve a page's md5 chains together in SIMD lanes (a core page's chains in one thread)",
     CONCUR_UNBOUNDED},
};

const concur_plugin kDescriptor = {
    CONCUR_PLUGIN_INIT,  // abi_version and struct_size
    .name = "threads",
    .version = "1.0",
    .description = "a pool of OS threads sharing one frontier, each fetching and solving",
    .options = kOptions,
    .option_count = std::size(kOptions),
    .run = run,
};

}  // namespace

extern "C" CONCUR_EXPORT const concur_plugin *concur_plugin_entry(void) {
  return &kDescriptor;
}
