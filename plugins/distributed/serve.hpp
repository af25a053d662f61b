// The worker side of the distributed strategy: what `concur worker` runs
// (through the plugin's serve()) and what a coordinator's forked local
// workers run.
#pragma once

#include <concur/plugin.h>

#include <string>

#include "endpoint.hpp"
#include "protocol.hpp"

namespace concur::distributed {

struct ServeArgs {
  Endpoint redis{"127.0.0.1"};  // with its password
  std::string id;               // this worker's name in results; default HOST-PID
  std::string run;              // serve only this run, then return (local workers); empty: any
  long runs = 0;                // serve this many runs, then return; 0: until stopped
  bool quiet = false;
};

// From serve()'s "key=value" strings: redis, redis_password_file, id, run,
// runs, quiet. Throws std::invalid_argument naming a bad one, RedisAccessError
// for a bad URL or password file.
ServeArgs parse_serve_args(const char *const *args, size_t count);

// Serves runs as `args` says. Returns 0, or 1 with `error` set. Throws
// RedisError when Redis cannot be reached or goes away, RedisAccessError when
// it refuses the credentials.
int serve_runs(const concur_host *host, const ServeArgs &args, std::string &error);

}  // namespace concur::distributed
