// `concur worker --redis URL`: serve the pages (or compute tasks) of
// distributed runs coordinated through that Redis, on this host. The work
// itself is the distributed plugin's serve(); this is its command line.
#include <iostream>

#include "cli/commands.hpp"
#include "crawl/worker_trust.hpp"
#include "plugin/host.hpp"
#include "plugin/loader.hpp"

namespace concur::cli {
namespace {

struct WorkerArgs {
  std::string redis;
  std::string password_file;
  crawl::WorkerTrust trust;
  std::vector<std::string> allowed_hosts;
  std::string id;
  long runs = 0;
  std::string strategy = "distributed";
};

int worker(const WorkerArgs &args) {
  std::shared_ptr<plugin::Plugin> found;
  try {
    found = plugin::find(args.strategy);
  } catch (const plugin::PluginError &e) {
    std::cerr << "concur: " << e.what() << "\n";
    return kExitUsage;
  }
  std::vector<std::string> serve_args = {"redis=" + args.redis,
                                         "runs=" + std::to_string(args.runs)};
  if (!args.id.empty()) serve_args.push_back("id=" + args.id);
  if (!args.password_file.empty())
    serve_args.push_back("redis_password_file=" + args.password_file);
  crawl::WorkerTrust trust = args.trust;
  if (!args.allowed_hosts.empty()) trust.hosts = args.allowed_hosts;  // instead of loopback
  std::string error;
  int rc = 0;
  try {
    rc = plugin::serve_plugin(*found, serve_args, trust, error);
  } catch (const plugin::PluginError &e) {
    std::cerr << "concur: " << e.what() << "\n";
    return kExitUsage;
  }
  if (rc == 0) return kExitOk;
  std::cerr << "concur worker: " << error << "\n";
  return rc == 2 ? kExitUsage : kExitRunFailed;
}

std::string redis_url_check(const std::string &url) {
  if (url.rfind("rediss://", 0) == 0)
    return "rediss:// (Redis over TLS) is not supported: this build's hiredis has no TLS. "
           "Encrypt with a tunnel (stunnel; docs/architecture.md, \"Distributed\") and give its "
           "local end as redis://127.0.0.1:PORT";
  if (url.rfind("redis://", 0) == 0 && url.size() > 8) return {};
  return "expected redis://[USER[:PASSWORD]@]HOST[:PORT][/DB], got '" + url + "'";
}

}  // namespace

Subcommand add_worker(CLI::App &app) {
  auto args = std::make_shared<WorkerArgs>();
  CLI::App *cmd = app.add_subcommand(
      "worker",
      "Serve distributed runs: take their pages (or compute tasks) from Redis, fetch, interpret\n"
      "and solve them here, send the outcomes back. Start any number, on any hosts that reach\n"
      "the Redis server and the demo server; a run with strategy `distributed` uses them all.");
  cmd->add_option(
         "--redis", args->redis,
         "The Redis server the coordinator uses: redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]\n"
         "(a password here shows in `ps`: prefer --redis-password-file or\n"
         "CONCUR_REDIS_PASSWORD)")
      ->required()
      ->check(redis_url_check)
      ->type_name("URL");
  cmd->add_option("--redis-password-file", args->password_file,
                  "A file whose first line is the Redis password (or set CONCUR_REDIS_PASSWORD)")
      ->type_name("FILE");
  cmd->add_option("--allow-host", args->allowed_hosts,
                  "Serve runs whose server is HOST (any port) or HOST:PORT, as the run's URL\n"
                  "writes it; repeatable. Default: 127.0.0.1, localhost and [::1] only")
      ->type_name("HOST[:PORT]");
  cmd->add_flag("--allow-any-host", args->trust.any_host,
                "Serve runs whatever server they name (anyone who can write to the Redis\n"
                "then chooses what this worker fetches)");
  cmd->add_option("--kernels", args->trust.kernels,
                  "Load Lua kernels only from this folder (default: scripts, in the working\n"
                  "directory, where relative kernel paths resolve)")
      ->type_name("DIR");
  cmd->add_option("--id", args->id, "This worker's name in results (default: HOSTNAME-PID)")
      ->type_name("NAME");
  cmd->add_option("--runs", args->runs,
                  "Serve (or refuse) this many runs, then exit (default 0: until stopped)")
      ->check(at_least_zero())
      ->type_name("N");
  cmd->add_option("--strategy", args->strategy,
                  "The plugin whose workers these are (default: distributed)")
      ->type_name("NAME");
  return {cmd, [args] { return worker(*args); }};
}

}  // namespace concur::cli
