// The coordinator's own workers (`local_workers`): forked, not exec'd, so the
// plugin may run inside a test binary too. Each runs the same serve loop as a
// remote `concur worker`, joined to one run only, with only stdio inherited.
#pragma once

#include <concur/plugin.h>
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "endpoint.hpp"

namespace concur::distributed {

class LocalWorkers {
 public:
  // Forks `count` workers serving run `run_key` of the Redis at `redis`.
  // std::runtime_error when a fork fails.
  void start(const concur_host *host, const Endpoint &redis, const std::string &run_key, int count);
  // Workers that exited since the last call (their pages come back by lease).
  long reap();
  // Waits up to `limit` for every worker to exit, then kills what is left.
  void wait(std::chrono::milliseconds limit);

 private:
  std::vector<pid_t> pids_;  // -1 once reaped
};

}  // namespace concur::distributed
