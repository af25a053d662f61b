// `concur worker --redis URL`: serve the pages (or compute tasks) of
// distributed runs coordinated through that Redis, on this host. The work
// itself is the distributed plugin's serve(); this is its command line.
#include <iostream>

#include "cli/commands.hpp"
#include "plugin/host.hpp"
#include "plugin/loader.hpp"

namespace concur::cli {
namespace {

struct WorkerArgs {
  std::string redis;
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
  std::string error;
  try {
    if (plugin::serve_plugin(*found, serve_args, error)) return kExitOk;
  } catch (const plugin::PluginError &e) {
    std::cerr << "concur: " << e.what() << "\n";
    return kExitUsage;
  }
  std::cerr << "concur worker: " << error << "\n";
  return kExitRunFailed;
}

}  // namespace

Subcommand add_worker(CLI::App &app) {
  auto args = std::make_shared<WorkerArgs>();
  CLI::App *cmd = app.add_subcommand(
      "worker",
      "Serve distributed runs: take their pages (or compute tasks) from Redis, fetch, interpret\n"
      "and solve them here, send the outcomes back. Start any number, on any hosts that reach\n"
      "the Redis server and the demo server; a run with strategy `distributed` uses them all.");
  cmd->add_option("--redis", args->redis,
                  "The Redis server the coordinator uses: redis://HOST[:PORT]")
      ->required()
      ->check([](const std::string &url) {
        return url.rfind("redis://", 0) == 0 && url.size() > 8
                   ? std::string()
                   : "expected redis://HOST[:PORT], got '" + url + "'";
      })
      ->type_name("URL");
  cmd->add_option("--id", args->id, "This worker's name in results (default: HOSTNAME-PID)")
      ->type_name("NAME");
  cmd->add_option("--runs", args->runs,
                  "Serve this many runs, then exit (default 0: until stopped)")
      ->check(CLI::NonNegativeNumber)
      ->type_name("N");
  cmd->add_option("--strategy", args->strategy,
                  "The plugin whose workers these are (default: distributed)")
      ->type_name("NAME");
  return {cmd, [args] { return worker(*args); }};
}

}  // namespace concur::cli
