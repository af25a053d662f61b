// processes: a pool of `workers` forked processes — the multiprocessing.Pool
// model. The parent owns the frontier and the results: it takes pages, sends
// each to an idle child over a socketpair, and completes them as the outcomes
// come back. Children fetch, interpret and solve, each on its own connection,
// in its own address space. A child that dies is noticed (its socket ends),
// reaped, replaced, and its page is sent again — at most kMaxResends times.
#include <concur/plugin.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <vector>

#include "child_process.hpp"

namespace {

constexpr int kMaxResends = 2;  // a page that kills three children is failed

struct Child {
  pid_t pid = -1;
  int fd = -1;                      // the parent's end of the socketpair
  concur_worker *worker = nullptr;  // the child's counters land here
  concur_task *task = nullptr;      // in flight, or nullptr when idle
  int resends = 0;                  // of the task in flight
};

// The child's whole life: serve tasks until the parent closes the stream.
[[noreturn]] void child_main(const concur_host *host, concur_worker *worker, int fd) {
  concur_task *task = nullptr;
  while (host->receive_task(worker, fd, &task) == CONCUR_OK) {
    if (host->fetch(worker, task) == CONCUR_OK && host->interpret(worker, task) == CONCUR_OK)
      for (size_t i = 0; i < host->work_count(task); ++i) host->solve(worker, task, i);
    if (host->send_outcome(worker, task, fd) != CONCUR_OK) break;
  }
  // _exit: the parent's atexit handlers and buffered streams are not ours to flush.
  _exit(0);
}

class Pool {
 public:
  Pool(const concur_host *host, concur_run *run) : host_(host), run_(run) {}

  // Starts child i (again, after a crash); false with errno set when fork fails.
  bool spawn(Child &c) {
    return concur_plugins::fork_child(c.pid, c.fd,
                                      [&](int fd) { child_main(host_, c.worker, fd); });
  }

  void reap(Child &c) {
    if (c.fd >= 0) close(c.fd);
    c.fd = -1;
    if (c.pid > 0) concur_plugins::wait_for_child(c.pid);
    c.pid = -1;
  }

  // The child died with c.task in flight: replace it and re-send, or give up.
  void recover(Child &c) {
    host_->metric(run_, "child_crashes", 1, CONCUR_METRIC_ADD);
    reap(c);
    if (!spawn(c)) {
      host_->log(run_, CONCUR_LOG_ERROR, "cannot replace a crashed worker process");
      finish_task(c);  // completes as failed; the pool runs on with one child fewer
      return;
    }
    if (c.task != nullptr && ++c.resends <= kMaxResends &&
        host_->send_task(c.task, c.fd) == CONCUR_OK)
      return;
    finish_task(c);
  }

  void finish_task(Child &c) {
    if (c.task != nullptr) host_->complete(c.worker, c.task);
    c.task = nullptr;
    c.resends = 0;
  }

  // Hands pages to idle children; sets `finished` once the frontier says so.
  void dispatch(std::vector<Child> &all, bool &finished) {
    for (Child &c : all) {
      if (c.task != nullptr || c.pid < 0 || finished) continue;
      concur_task *task = nullptr;
      concur_status s = host_->take(c.worker, &task, 0);
      if (s == CONCUR_FINISHED) finished = true;
      if (s != CONCUR_OK) break;  // AGAIN: wait for outcomes to bring new pages
      c.task = task;
      if (host_->send_task(task, c.fd) != CONCUR_OK) recover(c);
    }
  }

  // Waits for any busy child to answer (or die) and completes its page.
  void collect(std::vector<Child> &all) {
    std::vector<pollfd> fds;
    std::vector<Child *> busy;
    for (Child &c : all)
      if (c.task != nullptr) {
        fds.push_back({c.fd, POLLIN, 0});
        busy.push_back(&c);
      }
    if (fds.empty()) return;
    if (poll(fds.data(), fds.size(), -1) < 0) return;  // EINTR: the loop comes back here
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      Child &c = *busy[i];
      if (host_->receive_outcome(c.worker, c.task, c.fd) == CONCUR_OK)
        finish_task(c);
      else
        recover(c);
    }
  }

 private:
  const concur_host *host_;
  concur_run *run_;
};

int run(const concur_host *host, concur_run *run, char *err, size_t err_size) {
  const auto n = static_cast<size_t>(host->option_int(run, "workers"));
  std::vector<Child> children(n);
  Pool pool(host, run);
  host->metric(run, "child_crashes", 0, CONCUR_METRIC_ADD);  // a column even when all went well
  // Workers are opened before forking: each child uses its copy of its own,
  // and the parent's copy collects what that child reports.
  for (Child &c : children) c.worker = host->worker_open(run);
  int rc = 0;
  for (Child &c : children) {
    if (c.worker == nullptr || pool.spawn(c)) continue;
    std::snprintf(err, err_size, "fork failed: %s", std::strerror(errno));
    rc = 1;
    break;
  }
  bool finished = rc != 0;
  for (;;) {
    pool.dispatch(children, finished);
    bool busy = false, alive = false;
    for (const Child &c : children) {
      busy = busy || c.task != nullptr;
      alive = alive || c.pid > 0;
    }
    if (!busy && (finished || !alive)) {
      if (!finished) {
        std::snprintf(err, err_size, "every worker process died and none could be replaced");
        rc = 1;
      }
      break;
    }
    pool.collect(children);
  }
  for (Child &c : children) {
    pool.reap(c);  // closing the socket ends the child's loop; then wait for it
    if (c.worker != nullptr) host->worker_close(c.worker);
  }
  return rc;
}

const concur_option_spec kOptions[] = {
    {.name = "workers",
     .type = CONCUR_OPT_INT,
     .default_value = "4",
     .help = "worker processes, each with its own connection",
     .min = 1,
     .max = 512},
};

const concur_plugin kDescriptor = {
    CONCUR_PLUGIN_INIT,  // abi_version and struct_size
    .name = "processes",
    .version = "1.0",
    .description =
        "a pool of forked processes; the parent keeps the frontier (multiprocessing.Pool)",
    .options = kOptions,
    .option_count = std::size(kOptions),
    .run = run,
};

}  // namespace

extern "C" CONCUR_EXPORT const concur_plugin *concur_plugin_entry(void) {
  return &kDescriptor;
}
