// The `concur` subcommands. Each adds itself to the CLI11 app and returns the
// function that runs it; that function returns the process exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace concur::cli {

// Exit codes: 0 ok, 1 a run failed, 2 usage or config error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRunFailed = 1;
inline constexpr int kExitUsage = 2;

// CLI11's NonNegativeNumber and PositiveNumber name their upper bound, DBL_MAX,
// written out in 309 digits; these say what was expected in a few words.
inline CLI::Validator at_least_zero() {
  return {[](std::string &input) -> std::string {
            double value = 0;
            if (CLI::detail::lexical_cast(input, value) && value >= 0) return {};
            return "expected a number >= 0, got '" + input + "'";
          },
          "NUMBER >= 0"};
}

inline CLI::Validator above_zero() {
  return {[](std::string &input) -> std::string {
            double value = 0;
            if (CLI::detail::lexical_cast(input, value) && value > 0) return {};
            return "expected a number > 0, got '" + input + "'";
          },
          "NUMBER > 0"};
}

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
