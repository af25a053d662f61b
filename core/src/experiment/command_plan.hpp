// The `command` strategy: an outside program (any language) put on the same
// scale as the plugins. Its config entry names the program line, with
// placeholders for what concur knows ({base_url}, {start}, ...) and for any
// option of the entry, whose lists sweep like a plugin's:
//   - plugin: command
//     name: course_threads
//     run: "python3 scripts/peers/course_threads.py {base_url} --workers {workers}"
//     workers: [8, 32]
//     timeout_s: 300
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/experiment.hpp"
#include "config/options.hpp"

namespace concur::experiment {

inline constexpr std::string_view kCommandPlugin = "command";
inline constexpr double kDefaultCommandTimeoutS = 600;

struct CommandStrategy {
  std::string name;  // the strategy column: `name:`, else the program's file name
  std::string run;   // the program line, placeholders unfilled
  double timeout_s = kDefaultCommandTimeoutS;
};

// What concur fills in besides the entry's own options, and the environment
// variable each is also given as (CONCUR_BASE_URL, ...).
const std::vector<std::string_view> &command_placeholders();

bool is_command(const config::StrategySpec &spec);

struct CommandPlan {
  std::shared_ptr<const CommandStrategy> strategy;
  std::vector<config::OptionSet> option_sets;  // the sweep of the entry's own options
};

// Validates the entry (run given once, its placeholders known, braces
// balanced, timeout_s > 0); throws config::ConfigError at the offending key.
CommandPlan plan_command(const config::StrategySpec &spec);

// `run` with every {name} replaced by values.at(name), "{{" and "}}" by single
// braces. std::invalid_argument for an unknown name or an unbalanced brace.
std::string fill_placeholders(const std::string &run,
                              const std::map<std::string, std::string> &values);

// The names `run` refers to, in order of appearance (duplicates kept out).
std::vector<std::string> placeholders_in(const std::string &run);

}  // namespace concur::experiment
