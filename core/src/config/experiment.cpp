// Loading an experiment: YAML text -> our tree (yaml_tree) -> --set overrides
// (overrides) -> validation section by section (here and server_section.cpp).
#include "config/experiment.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "config/overrides.hpp"
#include "config/sections.hpp"

namespace concur::config {
namespace {

std::string format_what(const Location &where, const std::string &key, const std::string &message) {
  std::string out = where.file;
  if (where.line > 0) out += ":" + std::to_string(where.line);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  out += message;
  // One line, always: callers print it as is, and logs stay greppable.
  for (char &c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

ConfigError::ConfigError(Location where, std::string key, const std::string &message)
    : std::runtime_error(format_what(where, key, message)),
      where_(std::move(where)),
      key_(std::move(key)),
      message_(message) {}

namespace detail {
namespace {

bool is_page_id(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

void read_start(const Field &field, Draft &draft) {
  const std::string start = field.string();
  if (start != "root" && start != "random") {
    if (!is_page_id(start)) field.expected("root, random or a page id (lowercase hex)");
    draft.start_where = field.node().where;
    draft.start_origin = field.node().origin;
  }
  draft.exp.crawl.start = start;
}

using crawl::Backoff;
using crawl::BackoffKind;

void read_backoff_kind(const Field &f, Backoff &b) {
  static constexpr std::string_view kKinds[] = {"none", "fixed", "exponential"};
  const std::string kind = f.one_of(kKinds);
  b.kind = kind == "fixed"         ? BackoffKind::fixed
           : kind == "exponential" ? BackoffKind::exponential
                                   : BackoffKind::none;
}

const KeyRule<Backoff> kBackoffKeys[] = {
    {"kind", read_backoff_kind},
    {"base_ms", [](const Field &f, Backoff &b) { b.base_ms = f.integer(0, 600'000); }},
    {"cap_ms", [](const Field &f, Backoff &b) { b.cap_ms = f.integer(0, 600'000); }},
    {"jitter", [](const Field &f, Backoff &b) { b.jitter = f.boolean(); }},
    {"seed", [](const Field &f, Backoff &b) { b.seed = f.unsigned_integer(0); }},
};

// `backoff: none`, or a mapping {kind, base_ms, cap_ms, jitter, seed}.
void read_backoff(const Field &field, Draft &draft) {
  Backoff &b = draft.exp.crawl.policy.backoff;
  if (field.node().kind == Node::Kind::scalar) {
    static constexpr std::string_view kNone[] = {"none"};
    field.one_of(kNone);
    b.kind = BackoffKind::none;
    return;
  }
  read_keys<Backoff>(field.map(), field.path(), kBackoffKeys, b);
  if (b.kind == BackoffKind::exponential && b.cap_ms < b.base_ms)
    field.fail("cap_ms (" + std::to_string(b.cap_ms) + ") is below base_ms (" +
               std::to_string(b.base_ms) + ")");
}

// A list of 5xx, 4xx, timeout, connection and HTTP statuses (400..599).
void read_retry_on(const Field &field, Draft &draft) {
  const Node &list = field.list();
  crawl::RetryOn on{false, false, false, false, {}};
  for (size_t i = 0; i < list.items.size(); ++i) {
    const Node &item = list.items[i];
    const std::string path = field.path() + "[" + std::to_string(i) + "]";
    const std::string text = item.kind == Node::Kind::scalar ? item.text : "";
    if (text == "5xx") {
      on.server_errors = true;
    } else if (text == "4xx") {
      on.client_errors = true;
    } else if (text == "timeout") {
      on.timeouts = true;
    } else if (text == "connection") {
      on.connection = true;
    } else if (text.size() == 3 && text.find_first_not_of("0123456789") == std::string::npos &&
               text >= "400" && text <= "599") {
      if (text == "404")
        fail(item.where, item.origin, path, "404 is never retried: the page is not there");
      on.statuses.push_back(std::stol(text));
    } else {
      fail(item.kind == Node::Kind::null ? field.entry().where : item.where, item.origin, path,
           "expected one of 5xx|4xx|timeout|connection or an HTTP status 400..599, got " +
               describe_node(item));
    }
  }
  draft.exp.crawl.policy.retry_on = on;
}

const KeyRule<Draft> kCrawlKeys[] = {
    {"backoff", read_backoff},
    {"retry_on", read_retry_on},
    {"hedge",
     [](const Field &f, Draft &d) {
       if (f.node().kind == Node::Kind::scalar && f.node().text == "auto") {
         d.exp.crawl.policy.hedge = crawl::FetchPolicy::kHedgeAuto;
         return;
       }
       try {
         d.exp.crawl.policy.hedge = f.integer(0, 64);
       } catch (const ConfigError &) {
         f.expected("auto or an integer between 0 and 64");
       }
     }},
    {"hedge_after_ms",
     [](const Field &f, Draft &d) { d.exp.crawl.policy.hedge_after_ms = f.integer(0, 600'000); }},
    {"start", read_start},
    {"max_pages", [](const Field &f, Draft &d) { d.exp.crawl.max_pages = f.integer(0); }},
    {"timeout_ms", [](const Field &f, Draft &d) { d.exp.crawl.timeout_ms = f.integer(1); }},
    {"retries",
     [](const Field &f, Draft &d) {
       const bool automatic = f.node().kind == Node::Kind::scalar && f.node().text == "auto";
       d.exp.crawl.retries = automatic ? kAutoRetries : f.integer(0);
     }},
};

const KeyRule<Draft> kOutputKeys[] = {
    {"runs",
     [](const Field &f, Draft &d) {
       d.exp.output.runs = f.non_empty_string();
       d.runs_given = true;
     }},
    {"summary", [](const Field &f, Draft &d) { d.exp.output.summary = f.non_empty_string(); }},
    {"trace", [](const Field &f, Draft &d) { d.exp.output.trace = f.non_empty_string(); }},
    {"requests", [](const Field &f, Draft &d) { d.exp.output.requests = f.non_empty_string(); }},
};

constexpr const char *kOptionShape = "a scalar or a non-empty list of scalars";

// Any key of a strategy entry but `plugin` is a plugin option, checked later
// against the plugin's own table (expand_options): here only its shape.
OptionEntry read_option(const Entry &entry, const std::string &path) {
  OptionEntry option{entry.key, entry.where, {}};
  const Node &value = entry.value;
  if (value.kind == Node::Kind::scalar) {
    option.values.push_back(OptionValue{value.text, value.where});
    return option;
  }
  if (value.kind != Node::Kind::list || value.items.empty()) {
    Field(entry, path).expected(kOptionShape);
  }
  for (size_t i = 0; i < value.items.size(); ++i) {
    const Node &item = value.items[i];
    if (item.kind != Node::Kind::scalar) {
      fail(item.kind == Node::Kind::null ? entry.where : item.where, item.origin,
           path + "[" + std::to_string(i) + "]",
           "expected a scalar (a list of values is one option's values), got " +
               describe_node(item));
    }
    option.values.push_back(OptionValue{item.text, item.where});
  }
  return option;
}

StrategySpec read_strategy(const Node &item, const Location &list_where, const std::string &key,
                           Draft &draft) {
  if (item.kind != Node::Kind::map) {
    fail(item.kind == Node::Kind::null ? list_where : item.where, item.origin, key,
         "expected a mapping with a 'plugin' key, got " + describe_node(item));
  }
  StrategySpec spec;
  spec.key = key;
  for (const Entry &entry : item.entries) {
    const std::string path = child_path(key, entry.key);
    if (entry.key == "plugin") {
      spec.plugin = Field(entry, path).non_empty_string();
      spec.where = entry.where;
    } else if (entry.key == "thresholds") {
      read_thresholds(Field(entry, path), draft, spec.thresholds);
    } else {
      spec.options.push_back(read_option(entry, path));
    }
  }
  if (spec.plugin.empty()) {
    fail(item.where, item.origin, key + ".plugin",
         "required key is missing (a plugin name or a path to a .so)");
  }
  return spec;
}

void read_strategies_list(const Field &field, Draft &draft) {
  const Node &list = field.node();
  if (list.kind != Node::Kind::list || list.items.empty()) {
    field.expected("a non-empty list of strategies");
  }
  for (size_t i = 0; i < list.items.size(); ++i) {
    const std::string key = field.path() + "[" + std::to_string(i) + "]";
    draft.exp.strategies.push_back(read_strategy(list.items[i], field.entry().where, key, draft));
  }
  draft.strategies_given = true;
}

// The hooks file must be there now, not fail the first run; whether it
// compiles is checked when the experiment starts (script/hooks.cpp).
void read_script(const Field &field, Draft &draft) {
  const std::string path = field.non_empty_string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    field.fail("no such file: " + path + " (a path relative to the working directory)");
  draft.exp.script = path;
}

// `baseline: {plugin: threads, workers: 1}` (the strategies' own shape) or
// the same as one string, "threads workers=1"; kept as the string.
void read_baseline(const Field &field, Draft &draft) {
  draft.exp.baseline_where = field.entry().where;
  if (field.node().kind != Node::Kind::map) {
    draft.exp.baseline = field.non_empty_string();
    return;
  }
  const Entry *plugin = field.map().find("plugin");
  if (plugin == nullptr)
    field.fail("expected {plugin: NAME, OPTION: VALUE ...} or \"NAME OPTION=VALUE ...\"");
  std::string text = Field(*plugin, child_path(field.path(), "plugin")).non_empty_string();
  for (const Entry &entry : field.map().entries)
    if (entry.key != "plugin")
      text += " " + entry.key + "=" + Field(entry, child_path(field.path(), entry.key)).string();
  draft.exp.baseline = text;
}

const KeyRule<Draft> kTopKeys[] = {
    {"name",
     [](const Field &f, Draft &d) {
       d.exp.name = f.non_empty_string();
       d.name_given = true;
     }},
    {"server",
     [](const Field &f, Draft &d) {
       d.server_entry = &f.entry();
       read_server(f, d);
     }},
    {"crawl",
     [](const Field &f, Draft &d) {
       d.crawl_given = true;
       read_crawl(f, d);
     }},
    {"compute", read_compute},
    {"strategies", read_strategies},
    {"repeat", [](const Field &f, Draft &d) { d.exp.repeat = f.integer(1); }},
    {"warmup", [](const Field &f, Draft &d) { d.exp.warmup = f.integer(0); }},
    {"order",
     [](const Field &f, Draft &d) {
       const std::string order = f.one_of(kRunOrders);
       d.exp.order = static_cast<RunOrder>(
           std::find(std::begin(kRunOrders), std::end(kRunOrders), order) - std::begin(kRunOrders));
     }},
    {"baseline", read_baseline},
    {"thresholds", [](const Field &f, Draft &d) { read_thresholds(f, d, d.exp.thresholds); }},
    {"output", read_output},
    {"script", read_script},
};

// In a compute experiment `server:` describes only the graph whose puzzles
// `puzzles` tasks take: nothing is served, so the network and delay keys
// would be silently ignored.
void check_compute_server(const Entry &section, const ComputeSpec &compute) {
  static constexpr std::string_view kGraphKeys[] = {
      "profile", "seed",           "pages",           "id_length", "extra_edges",
      "shares",  "cpu_iterations", "core_iterations", "hash_rule"};
  const Field field(section, "server");
  if (!compute.takes_puzzles())
    field.fail_key(
        "a compute experiment reads server settings only for puzzles tasks (the graph their "
        "pages come from): remove 'server', or add a task {kernel: puzzles, count: N}");
  for (const Entry &entry : field.map().entries) {
    if (std::find(std::begin(kGraphKeys), std::end(kGraphKeys), entry.key) != std::end(kGraphKeys))
      continue;
    Field(entry, child_path("server", entry.key))
        .fail_key(
            "a compute experiment serves nothing: from server it takes only what makes "
            "the graph and its puzzles (profile, seed, pages, id_length, extra_edges, "
            "shares, cpu_iterations, core_iterations, hash_rule)");
  }
}

// Defaults that depend on other keys, and checks across sections.
void finish(Draft &draft) {
  Experiment &exp = draft.exp;
  if (!draft.strategies_given) {
    fail(Location{exp.file, 0}, {}, "strategies",
         "required key is missing (list at least one, e.g. strategies: [{plugin: sequential}])");
  }
  if (exp.compute) {
    // A compute experiment runs tasks, not a crawl: the crawl's sections have
    // nothing to say to it.
    const char *misplaced = draft.crawl_given ? "crawl" : !exp.script.empty() ? "script" : nullptr;
    if (misplaced != nullptr)
      fail(Location{exp.file, 0}, {}, misplaced,
           "a compute experiment has no crawl (and no hooks): remove '" + std::string(misplaced) +
               "' or 'compute'");
    if (draft.server_entry != nullptr) check_compute_server(*draft.server_entry, *exp.compute);
  }
  check_compute_thresholds(draft);
  if (!draft.name_given) exp.name = std::filesystem::path(exp.file).stem().string();
  if (exp.name.empty()) exp.name = "experiment";
  if (!draft.runs_given) exp.output.runs = "results/" + exp.name + ".csv";

  // A page id's length is known unless a running server will announce it.
  const bool id_length_known =
      !exp.base_url || std::find(exp.server_keys.begin(), exp.server_keys.end(), "id_length") !=
                           exp.server_keys.end();
  if (draft.start_where && id_length_known &&
      exp.crawl.start.size() != static_cast<size_t>(exp.server.id_length)) {
    fail(*draft.start_where, draft.start_origin, "crawl.start",
         "a page id has server.id_length = " + std::to_string(exp.server.id_length) +
             " hex digits, got " + quote(exp.crawl.start));
  }
}

}  // namespace

void read_crawl(const Field &field, Draft &draft) {
  read_keys<Draft>(field.map(), field.path(), kCrawlKeys, draft);
}

void read_output(const Field &field, Draft &draft) {
  read_keys<Draft>(field.map(), field.path(), kOutputKeys, draft);
}

void read_strategies(const Field &field, Draft &draft) {
  read_strategies_list(field, draft);
}

}  // namespace detail

Experiment load_text(std::string_view yaml, const std::string &file_label,
                     const std::vector<std::string> &overrides) {
  return load_tree(detail::parse_yaml(yaml, detail::Source{file_label, {}, true}), file_label,
                   overrides);
}

Experiment load_tree(Node root, const std::string &file_label,
                     const std::vector<std::string> &overrides) {
  using namespace detail;
  if (root.kind != Node::Kind::map && root.kind != Node::Kind::null) {
    fail(root.where, {}, "(top level)",
         "expected a mapping of settings, got " + describe_node(root));
  }
  apply_overrides(root, overrides);
  Draft draft;
  draft.exp.file = file_label;
  read_keys<Draft>(root, "", kTopKeys, draft);
  finish(draft);
  return std::move(draft.exp);
}

Experiment load_file(const std::string &path, const std::vector<std::string> &overrides) {
  std::unique_ptr<std::FILE, int (*)(std::FILE *)> file(std::fopen(path.c_str(), "rb"),
                                                        std::fclose);
  auto unreadable = [&path] {
    return ConfigError(Location{path, 0}, {},
                       std::string("cannot read file: ") + std::strerror(errno));
  };
  if (!file) throw unreadable();
  std::string text;
  char buffer[1 << 16];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, got);
  // A directory opens fine and fails on the first read (EISDIR).
  if (std::ferror(file.get())) throw unreadable();
  return load_text(text, path, overrides);
}

std::vector<std::string> known_keys() {
  std::vector<std::string> keys;
  auto add = [&keys](const std::string &prefix, const auto &rules) {
    for (const auto &rule : rules) keys.push_back(prefix + std::string(rule.name));
  };
  add("", detail::kTopKeys);
  for (const auto &name : detail::server_key_names()) keys.push_back("server." + name);
  add("crawl.", detail::kCrawlKeys);
  add("crawl.backoff.", detail::kBackoffKeys);
  add("output.", detail::kOutputKeys);
  for (const auto &name : detail::compute_key_names()) keys.push_back("compute." + name);
  keys.push_back("strategies[].plugin");
  keys.push_back("strategies[].thresholds");
  return keys;
}

}  // namespace concur::config
