#include "local_workers.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "serve.hpp"

namespace concur::distributed {

void LocalWorkers::start(const concur_host *host, const Endpoint &redis, const std::string &run_key,
                         int count) {
  for (int i = 0; i < count; ++i) {
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed for a local worker");
    if (pid == 0) {
      close_range(3, ~0u, 0);
      ServeArgs args;
      args.redis = redis;
      args.id = "local" + std::to_string(i) + "-" + std::to_string(getpid());
      args.run = run_key;
      args.quiet = true;
      std::string error;
      int rc = 1;
      try {
        rc = serve_runs(host, args, error);
      } catch (const std::exception &e) {
        error = e.what();
      }
      if (rc != 0) std::fprintf(stderr, "concur: local worker: %s\n", error.c_str());
      _exit(rc);
    }
    pids_.push_back(pid);
  }
}

long LocalWorkers::reap() {
  long exited = 0;
  for (pid_t &pid : pids_) {
    if (pid <= 0) continue;
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      ++exited;
    }
  }
  return exited;
}

void LocalWorkers::wait(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (pid_t &pid : pids_) {
    if (pid <= 0) continue;
    const int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (fd >= 0) {
      pollfd p{fd, POLLIN, 0};
      poll(&p, 1, static_cast<int>(std::max<long>(0, left.count())));
      close(fd);
    }
    if (waitpid(pid, nullptr, WNOHANG) != pid) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    pid = -1;
  }
}

}  // namespace concur::distributed
