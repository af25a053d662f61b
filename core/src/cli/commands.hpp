// The `concur` subcommands. Each adds itself to the CLI11 app and returns the
// function that runs it; that function returns the process exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace concur::cli {

// Exit codes: 0 ok, 1 a run failed, 2 usage or config error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRunFailed = 1;
inline constexpr int kExitUsage = 2;

struct Subcommand {
  CLI::App *app;
  std::function<int()> run;
};

Subcommand add_run(CLI::App &app);
Subcommand add_serve(CLI::App &app);
Subcommand add_plugins(CLI::App &app);
Subcommand add_solve(CLI::App &app);
Subcommand add_new_plugin(CLI::App &app);
Subcommand add_report(CLI::App &app);
Subcommand add_compare(CLI::App &app);
Subcommand add_worker(CLI::App &app);

}  // namespace concur::cli
