#include "experiment/command_plan.hpp"

#include <algorithm>
#include <stdexcept>

#include "config/text.hpp"

namespace concur::experiment {
namespace {

// Walks `run`, handing literal text and placeholder names to the callbacks.
template <typename Literal, typename Name>
void scan(const std::string &run, Literal literal, Name name) {
  for (size_t i = 0; i < run.size(); ++i) {
    const char c = run[i];
    if ((c == '{' || c == '}') && i + 1 < run.size() && run[i + 1] == c) {
      literal(c);
      ++i;
    } else if (c == '{') {
      const size_t end = run.find('}', i + 1);
      if (end == std::string::npos)
        throw std::invalid_argument("'{' at character " + std::to_string(i + 1) +
                                    " is never closed (write {{ for a literal brace)");
      name(run.substr(i + 1, end - i - 1));
      i = end;
    } else if (c == '}') {
      throw std::invalid_argument("'}' at character " + std::to_string(i + 1) +
                                  " closes nothing (write }} for a literal brace)");
    } else {
      literal(c);
    }
  }
}

// The one value of an entry's key, or a ConfigError naming it.
const config::OptionValue &single(const config::StrategySpec &spec,
                                  const config::OptionEntry &entry) {
  if (entry.values.size() != 1)
    throw config::ConfigError(entry.where, spec.key + "." + entry.name,
                              "takes one value, not a list: it is not swept");
  return entry.values.front();
}

// "python3 scripts/peers/crawl.py {base_url}" -> "crawl": the first word that
// names a file (a '/' or a '.' in it) after the interpreter, without folder and
// extension; else the program itself.
std::string default_name(const std::string &run) {
  std::vector<std::string> words;
  size_t at = 0;
  while (at < run.size()) {
    const size_t start = run.find_first_not_of(' ', at);
    if (start == std::string::npos) break;
    const size_t end = std::min(run.find(' ', start), run.size());
    words.push_back(run.substr(start, end - start));
    at = end;
  }
  if (words.empty()) return std::string(kCommandPlugin);
  std::string chosen = words.front();
  for (size_t i = 1; i < words.size(); ++i)
    if (words[i].front() != '-' && words[i].front() != '{' &&
        words[i].find_first_of("/.") != std::string::npos) {
      chosen = words[i];
      break;
    }
  chosen = chosen.substr(chosen.find_last_of('/') + 1);
  if (const size_t dot = chosen.rfind('.'); dot != std::string::npos && dot > 0) chosen.resize(dot);
  return chosen.empty() ? std::string(kCommandPlugin) : chosen;
}

bool valid_name(const std::string &name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

}  // namespace

const std::vector<std::string_view> &command_placeholders() {
  static const std::vector<std::string_view> names = {"base_url",  "start",      "seed",
                                                      "max_pages", "timeout_ms", "retries"};
  return names;
}

bool is_command(const config::StrategySpec &spec) {
  return spec.plugin == kCommandPlugin;
}

std::vector<std::string> placeholders_in(const std::string &run) {
  std::vector<std::string> names;
  scan(
      run, [](char) {},
      [&](const std::string &name) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      });
  return names;
}

std::string fill_placeholders(const std::string &run,
                              const std::map<std::string, std::string> &values) {
  std::string out;
  scan(
      run, [&](char c) { out += c; },
      [&](const std::string &name) {
        const auto it = values.find(name);
        if (it == values.end()) throw std::invalid_argument("unknown placeholder {" + name + "}");
        out += it->second;
      });
  return out;
}

CommandPlan plan_command(const config::StrategySpec &spec) {
  auto strategy = std::make_shared<CommandStrategy>();
  config::StrategySpec swept = spec;
  swept.options.clear();
  const config::OptionEntry *run = nullptr;
  for (const auto &entry : spec.options) {
    const std::string key = spec.key + "." + entry.name;
    if (entry.name == "run") {
      run = &entry;
      strategy->run = single(spec, entry).text;
    } else if (entry.name == "name") {
      strategy->name = single(spec, entry).text;
      if (!valid_name(strategy->name))
        throw config::ConfigError(entry.where, key,
                                  "expected a name of letters, digits, '_', '-' or '.', got " +
                                      config::detail::quote(strategy->name));
    } else if (entry.name == "timeout_s") {
      const auto value = config::detail::parse_number(single(spec, entry).text);
      if (!value || *value <= 0)
        throw config::ConfigError(entry.values.front().where, key,
                                  "expected a number of seconds > 0, got " +
                                      config::detail::quote(entry.values.front().text));
      strategy->timeout_s = *value;
    } else {
      swept.options.push_back(entry);
    }
  }
  if (run == nullptr || strategy->run.empty())
    throw config::ConfigError(spec.where, spec.key + ".run",
                              "the command strategy needs `run:`, the program line to start "
                              "(e.g. \"python3 my_crawler.py {base_url}\")");
  // Each option of the entry is a placeholder, swept like a plugin's option.
  std::vector<concur_option_spec> declared;
  for (const auto &entry : swept.options)
    declared.push_back(
        {entry.name.c_str(), CONCUR_OPT_STRING, "", "a placeholder of run", nullptr, 1, 0});
  CommandPlan plan;
  plan.option_sets = config::expand_options(swept, declared);
  const std::string run_key = spec.key + ".run";
  try {
    for (const auto &name : placeholders_in(strategy->run)) {
      const auto &known = command_placeholders();
      const bool builtin = std::find(known.begin(), known.end(), name) != known.end();
      const bool option = std::any_of(swept.options.begin(), swept.options.end(),
                                      [&](const config::OptionEntry &e) { return e.name == name; });
      if (builtin || option) continue;
      std::vector<std::string_view> names(known.begin(), known.end());
      for (const auto &entry : swept.options) names.push_back(entry.name);
      throw std::invalid_argument("unknown placeholder {" + name + "}" +
                                  config::detail::suggestion(name, names) +
                                  " (known: " + config::detail::join(names, ", ") +
                                  "; any other key of the entry is one too)");
    }
  } catch (const std::invalid_argument &e) {
    throw config::ConfigError(run->values.front().where, run_key, e.what());
  }
  if (strategy->name.empty()) strategy->name = default_name(strategy->run);
  plan.strategy = std::move(strategy);
  return plan;
}

}  // namespace concur::experiment
