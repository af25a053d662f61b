// distributed: pages (or compute tasks) handed to worker processes on any
// hosts through Redis — the shared-queue pattern of scrapy-redis and
// Celery/RQ. The `concur run` process coordinates (coordinator.cpp); workers
// are `concur worker --redis URL` processes anywhere, or `local_workers` it
// forks itself (worker.cpp). Both sides use only the host's services.
#include <concur/plugin.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <iterator>
#include <stdexcept>
#include <string>

#include "coordinator.hpp"
#include "redis.hpp"
#include "serve.hpp"

namespace concur::distributed {

ServeArgs parse_serve_args(const char *const *args, size_t count) {
  ServeArgs out;
  char host[256] = "worker";
  gethostname(host, sizeof host - 1);
  out.id = std::string(host) + "-" + std::to_string(getpid());
  std::string password_file;
  for (size_t i = 0; i < count; ++i) {
    const std::string arg = args[i] ? args[i] : "";
    const auto eq = arg.find('=');
    const std::string key = arg.substr(0, eq),
                      value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (key == "redis") {
      out.redis = parse_url(value);  // throws with the reason
    } else if (key == "redis_password_file") {
      password_file = value;
    } else if (key == "id") {
      if (value.empty() || value.find_first_of(" /") != std::string::npos)
        throw std::invalid_argument("id: one word without '/', got '" + value + "'");
      out.id = value;
    } else if (key == "run") {
      out.run = value;
    } else if (key == "runs") {
      out.runs = std::stol(value);
    } else if (key == "quiet") {
      out.quiet = value == "true";
    } else {
      throw std::invalid_argument("unknown argument '" + key + "'");
    }
  }
  out.redis = with_password(out.redis, password_file);
  return out;
}

namespace {

// The services for moving runs and pages between hosts came with ABI 1.2;
// run_error is the last of them.
bool host_can_distribute(const concur_host *host) {
  return CONCUR_HOST_HAS(host, run_error);
}

int run(const concur_host *host, concur_run *run, char *err, size_t err_size) {
  if (!host_can_distribute(host)) {
    std::snprintf(err, err_size, "this concur has no services for moving runs between hosts");
    return 1;
  }
  return coordinate(host, run, err, err_size);
}

int serve(const concur_host *host, const char *const *args, size_t count, char *err,
          size_t err_size) {
  if (!host_can_distribute(host)) {
    std::snprintf(err, err_size, "this concur has no services for moving runs between hosts");
    return 1;
  }
  try {
    std::string error;
    const int rc = serve_runs(host, parse_serve_args(args, count), error);
    if (rc != 0) std::snprintf(err, err_size, "%s", error.c_str());
    return rc;
  } catch (const RedisAccessError &e) {  // the user's to fix: a usage error
    std::snprintf(err, err_size, "%s", e.what());
    return 2;
  } catch (const std::invalid_argument &e) {
    std::snprintf(err, err_size, "%s", e.what());
    return 2;
  } catch (const std::exception &e) {
    std::snprintf(err, err_size, "%s", e.what());
    return 1;
  }
}

const concur_option_spec kOptions[] = {
    {.name = "redis",
     .type = CONCUR_OPT_STRING,
     .default_value = "redis://127.0.0.1:6379",
     .help = "the Redis server coordinator and workers meet in: "
             "redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]",
     CONCUR_UNBOUNDED},
    {.name = "redis_password_file",
     .type = CONCUR_OPT_STRING,
     .default_value = "",
     .help = "a file whose first line is the Redis password (else the URL's, else "
             "$CONCUR_REDIS_PASSWORD)",
     CONCUR_UNBOUNDED},
    {.name = "local_workers",
     .type = CONCUR_OPT_INT,
     .default_value = "2",
     .help = "worker processes this run forks itself (0: only `concur worker` processes elsewhere)",
     .min = 0,
     .max = 64},
    {.name = "worker_threads",
     .type = CONCUR_OPT_INT,
     .default_value = "4",
     .help = "pages each worker process handles at once (threads, each with its own connection)",
     .min = 1,
     .max = 256},
    {.name = "lease_ms",
     .type = CONCUR_OPT_INT,
     .default_value = "5000",
     .help = "a page a worker holds this long without renewing (it died) is queued again",
     .min = 100,
     .max = 600000},
    {.name = "stall_s",
     .type = CONCUR_OPT_DOUBLE,
     .default_value = "120",
     .help = "the run fails when no page comes back for this long (no worker serving?)",
     .min = 1,
     .max = 86400},
};

const concur_plugin kDescriptor = {
    CONCUR_PLUGIN_INIT,  // abi_version and struct_size
    .name = "distributed",
    .version = "1.0",
    .description =
        "worker processes on any hosts share the pages through Redis (scrapy-redis, Celery/RQ)",
    .options = kOptions,
    .option_count = std::size(kOptions),
    .run = run,
    .serve = serve,  // since 1.2: `concur worker` processes
};

}  // namespace
}  // namespace concur::distributed

extern "C" CONCUR_EXPORT const concur_plugin *concur_plugin_entry(void) {
  return &concur::distributed::kDescriptor;
}
