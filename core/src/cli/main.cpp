#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "plugin/loader.hpp"

namespace {

std::vector<const CLI::App *> all_commands(const CLI::App &app) {
  return app.get_subcommands(std::function<bool(const CLI::App *)>{});
}

std::string command_names(const CLI::App &app) {
  std::string names;
  for (const CLI::App *sub : all_commands(app)) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  return names;
}

// The word where the command should be: the first argument that is neither an
// option nor the folder of a --plugin-path before it; empty when there is none.
std::string command_word(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--plugin-path") {
      ++i;
      continue;
    }
    if (!arg.empty() && arg[0] != '-') return arg;
  }
  return {};
}

// CLI11 says "A subcommand is required" for a misspelt command too: name the
// word it did not know, and the commands it knows.
std::string parse_error_message(const CLI::App &app, const CLI::ParseError &e, int argc,
                                char **argv) {
  if (!app.get_subcommands().empty()) return e.what();  // a command was recognised
  const std::string word = command_word(argc, argv);
  if (word.empty()) return "a command is required (" + command_names(app) + ")";
  const auto commands = all_commands(app);
  if (std::any_of(commands.begin(), commands.end(),
                  [&](const CLI::App *sub) { return sub->check_name(word); })) {
    return e.what();
  }
  return "unknown command '" + word + "' (commands: " + command_names(app) + ")";
}

// CLI11's own exit codes for usage errors vary (105, 106 ...); ours is 2.
int usage_error(CLI::App &app, const CLI::ParseError &e, int argc, char **argv) {
  if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
  std::cerr << "concur: " << parse_error_message(app, e, argc, argv) << "\n";
  std::cerr << "Run 'concur --help' (or 'concur COMMAND --help') for usage.\n";
  return concur::cli::kExitUsage;
}

// A server holding 10,000 connections (and a runner with 10,000 in flight,
// with the embedded server in the same process) needs descriptors beyond the
// usual soft limit of 1024: raise it to the hard limit, as Go's runtime does.
// Capped, so that nothing that walks the descriptor table walks millions.
void raise_descriptor_limit() {
  constexpr rlim_t kEnough = rlim_t{1} << 16;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = std::min(limit.rlim_max, kEnough);
  if (limit.rlim_cur >= wanted) return;
  limit.rlim_cur = wanted;
  ::setrlimit(RLIMIT_NOFILE, &limit);  // best effort: the soft limit stays as it was
}

// glibc raises its mmap threshold to the size of each big block freed (up to
// 32 MiB), so after one large answer (a 10 MB page, a body cut at 32 MiB)
// later ones come from the thread arenas and stay there: a six-run experiment
// against the hostile test server peaked at ~280 MB instead of ~85 MB. A
// fixed threshold keeps blocks of 1 MiB and more in mmap, given back on free.
void keep_big_blocks_returnable() {
  ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
}

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{
      "concur: run the same work under several concurrency strategies against the demo web\n"
      "server, and measure them. See README.md and docs/.",
      "concur"};
  app.set_version_flag("--version", "concur " CONCUR_VERSION);
  std::vector<std::string> plugin_paths;
  app.add_option("--plugin-path", plugin_paths,
                 "A folder of plugins, searched before every other (repeatable; also "
                 "accepted after the command)")
      ->type_name("DIR")
      // A misspelt folder would otherwise surface only as "unknown plugin".
      ->check(CLI::ExistingDirectory)
      // One folder per --plugin-path: a list would swallow the command's own
      // arguments (`concur run --plugin-path D x.yaml`).
      ->allow_extra_args(false);
  app.fallthrough();  // `concur run X.yaml --plugin-path D` works too
  app.require_subcommand(1);
  const std::vector<concur::cli::Subcommand> commands = {
      concur::cli::add_run(app),        concur::cli::add_serve(app),
      concur::cli::add_plugins(app),    concur::cli::add_solve(app),
      concur::cli::add_new_plugin(app), concur::cli::add_report(app),
      concur::cli::add_compare(app),    concur::cli::add_worker(app)};

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return usage_error(app, e, argc, argv);
  }
  raise_descriptor_limit();
  keep_big_blocks_returnable();
  for (const auto &path : plugin_paths) concur::plugin::add_plugin_path(path);
  for (const auto &command : commands) {
    if (!command.app->parsed()) continue;
    try {
      return command.run();
    } catch (const std::exception &e) {
      std::cerr << "concur: " << e.what() << "\n";
      return concur::cli::kExitRunFailed;
    }
  }
  return concur::cli::kExitUsage;
}
