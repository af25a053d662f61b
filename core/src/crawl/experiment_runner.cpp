#include "crawl/experiment_runner.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <thread>

#include "crawl/server_counts.hpp"
#include "plugin/host.hpp"
#include "results/csv.hpp"
#include "results/summary.hpp"
#include "results/summary_csv.hpp"
#include "results/trace.hpp"
#include "results/usage.hpp"
#include "server/graph.hpp"
#include "server/server.hpp"

namespace concur::crawl {
namespace {

using nlohmann::json;

json get_json(http::Client &client, const std::string &url) {
  http::Response r = client.get(url);
  if (!r.ok())
    throw std::runtime_error(
        "GET " + url + " failed: " + (r.status ? "HTTP " + std::to_string(r.status) : r.error));
  json body = json::parse(r.body, nullptr, false);
  if (body.is_discarded()) throw std::runtime_error("GET " + url + ": the answer is not JSON");
  return body;
}

PuzzleParams params_from(const server::Settings &s) {
  return {s.hash_rule, s.cpu_iterations, s.core_iterations, s.id_length};
}

// `GET /` (PROTOCOL.md): the server's announcement, or an empty one from a
// server that answers it with an error or no JSON (a server of someone
// else's, the hostile test's): the crawl can go on without it. A server that
// does not answer at all fails here, before any run.
json announcement(http::Client &client, const std::string &base_url, std::ostream &log) {
  const std::string url = base_url + "/";
  const http::Response r = client.get(url);
  if (r.status == 0) throw std::runtime_error("GET " + url + " failed: " + r.error);
  json body = r.ok() ? json::parse(r.body, nullptr, false) : json();
  if (body.is_object()) return body;
  log << "concur: warning: " << url << " announces nothing ("
      << (r.ok() ? "the answer is no JSON object" : "HTTP " + std::to_string(r.status))
      << "): puzzle settings from the config or the course's defaults, seed unknown\n";
  return json::object();
}

// A server of ours announces its puzzles at `/` (ext); the original announces
// nothing. The config's puzzle keys, where the user gave them, win; the rest
// come from the announcement, else from the course's defaults.
PuzzleParams remote_puzzle(const json &root, const config::Experiment &experiment) {
  const PuzzleParams configured = params_from(experiment.server);
  PuzzleParams p = configured;
  if (auto it = root.find("puzzle"); it != root.end() && it->is_object()) {
    if (auto rule = hash::parse_rule(it->value("hash_rule", ""))) p.rule = *rule;
    p.cpu_iterations = it->value("cpu_iterations", p.cpu_iterations);
    p.core_iterations = it->value("core_iterations", p.core_iterations);
    p.id_length = it->value("id_length", p.id_length);
  }
  auto given = [&](const char *key) {
    const auto &keys = experiment.server_keys;
    return std::find(keys.begin(), keys.end(), key) != keys.end();
  };
  if (given("hash_rule")) p.rule = configured.rule;
  if (given("cpu_iterations")) p.cpu_iterations = configured.cpu_iterations;
  if (given("core_iterations")) p.core_iterations = configured.core_iterations;
  if (given("id_length")) p.id_length = configured.id_length;
  return p;
}

std::string resolve_start(http::Client &client, const std::string &base_url,
                          const std::string &start) {
  if (start == "root") {
    json root = get_json(client, base_url + "/api/");
    const json &links = root.at("links");
    if (!links.is_array() || links.empty() || !links[0].is_string())
      throw std::runtime_error(base_url + "/api/ lists no first page");
    if (auto id = link_to_id(links[0].get<std::string>())) return *id;
    throw std::runtime_error(base_url + "/api/: cannot read link " + links[0].dump());
  }
  if (start == "random") return get_json(client, base_url + "/graph/random").at("page_id");
  return start;
}

// The server's whole graph from `/api/cheat/` (ext), or null when it has none
// (the original server) or sends something else: the bound then covers the
// discovered pages only.
std::shared_ptr<const results::KnownGraph> known_graph(http::Client &client,
                                                       const std::string &base_url,
                                                       std::ostream &log) {
  const http::Response r = client.get(base_url + "/api/cheat/");
  if (!r.ok()) return nullptr;
  const json body = json::parse(r.body, nullptr, false);
  if (!body.is_object()) return nullptr;
  auto graph = std::make_shared<results::KnownGraph>();
  for (const auto &[id, page] : body.items()) {
    if (!page.is_object()) return nullptr;
    std::vector<std::string> &links = graph->links[id];
    for (const auto &link : page.value("links", json::array()))
      if (auto to = link.is_string() ? link_to_id(link.get<std::string>()) : std::nullopt)
        links.push_back(*to);
    if (auto type = page.find("page_type"); type != page.end() && type->is_string())
      graph->types[id] = type->get<std::string>();
  }
  log << "concur: " << base_url << "/api/cheat/ gives the whole graph (" << graph->links.size()
      << " pages): bounds cover every page\n";
  return graph;
}

// "workers=4" and, in a compute experiment, "gil=true": what tells runs apart.
std::string options_of(const PlannedRun &planned) {
  std::string options = config::describe(planned.options);
  auto add = [&options](const std::string &item) {
    options += (options.empty() ? "" : " ") + item;
  };
  if (!planned.workload_name.empty()) add("workload=" + planned.workload_name);
  if (planned.gil) add(std::string("gil=") + (*planned.gil ? "true" : "false"));
  return options;
}

std::string label_of(const PlannedRun &planned) {
  const std::string options = options_of(planned);
  return planned.plugin->name() + (options.empty() ? "" : " " + options);
}

// The run's requests against the server's count of them. Exact, but for
// requests the runner stopped waiting for (timeouts, cancelled hedged copies,
// transport errors), which the server may answer after the run ended.
void warn_if_server_disagrees(const results::RunResult &r, std::ostream &log) {
  if (r.server_requests < 0) return;
  long sent = 0, unsure = 0, errors = 0;
  for (const auto &e : r.events) {
    if (e.kind != results::Event::Kind::request || e.status == 404) continue;
    ++sent;
    if (e.status <= 0) ++unsure;
    if (e.status >= 500) ++errors;
  }
  const bool requests_agree = r.server_requests <= sent && r.server_requests >= sent - unsure;
  const bool errors_agree = r.server_errors >= errors && r.server_errors <= errors + unsure;
  if (requests_agree && errors_agree) return;
  log << "concur: warning: " << r.strategy << " " << r.options << " repeat " << r.repeat
      << ": the server answered " << r.server_requests << " page requests (" << r.server_errors
      << " 5xx), the runner counted " << sent << " (" << errors << " 5xx"
      << (unsure ? ", " + std::to_string(unsure) + " left unanswered" : std::string()) << ")"
      << " - another client on the server, or a miscount\n";
}

// Speedup over the sequential run of the same repeat, workload and gil, and
// parallel efficiency: speedup / min(peak_parallel, cores).
void compare_with_sequential(results::RunResult &r, const PlannedRun &planned,
                             std::map<std::string, double> &walls) {
  const std::string key = std::to_string(r.repeat) + "/" + planned.workload_name + "/" + r.gil;
  if (r.status != "ok" || r.wall_s <= 0) return;
  if (planned.plugin->name() == "sequential") walls.emplace(key, r.wall_s);
  const auto base = walls.find(key);
  if (base == walls.end()) return;
  r.speedup = base->second / r.wall_s;
  const int parallel = std::max(1, std::min(r.peak_parallel, r.cores));
  r.parallel_efficiency = r.speedup / parallel;
}

std::string describe_puzzle(const PuzzleParams &p) {
  return std::string(hash::rule_name(p.rule)) + "/" + std::to_string(p.cpu_iterations) + "/" +
         std::to_string(p.core_iterations) + "/" + std::to_string(p.id_length);
}

}  // namespace

std::vector<PlannedRun> plan(const config::Experiment &experiment) {
  // Each workload's tasks, made (and their Lua files checked) once, shared by
  // every run of it.
  struct Workload {
    std::shared_ptr<const std::vector<ComputeItem>> items;
    std::string name, described;
  };
  std::vector<Workload> workloads;
  if (experiment.compute) {
    // `puzzles` tasks come from the graph the embedded server would serve:
    // built by the server's own code (puzzle cache and all), not fetched.
    std::optional<server::Graph> graph;
    if (experiment.compute->takes_puzzles()) graph = server::Graph::build(experiment.server);
    for (const auto &w : experiment.compute->workloads)
      workloads.push_back({compute_items(w, graph ? &*graph : nullptr), w.name,
                           describe_compute(w, experiment.server)});
  }
  std::vector<PlannedRun> runs;
  for (const auto &strategy : experiment.strategies) {
    std::shared_ptr<plugin::Plugin> found;
    try {
      found = plugin::find(strategy.plugin);
    } catch (const plugin::PluginError &e) {
      throw config::ConfigError(strategy.where, strategy.key + ".plugin", e.what());
    }
    for (auto &options : config::expand_options(strategy, found->options())) {
      if (!experiment.compute) {
        runs.push_back({found, std::move(options), std::nullopt});
        continue;
      }
      for (const auto &w : workloads)
        for (bool gil : experiment.compute->gil)
          runs.push_back({found, options, gil, w.items, w.name, w.described});
    }
  }
  return runs;
}

Target::Target(const config::Experiment &experiment, std::ostream &log) {
  if (experiment.compute) {  // no server: each planned run carries its tasks
    settings_.start_id = "t0";
    settings_.puzzle.rule = hash::Rule::indexed;
    if (experiment.compute->takes_puzzles()) seed_ = experiment.server.seed;  // its graph's
    for (const auto &workload : experiment.compute->workloads)
      log << "concur: compute" << (workload.name.empty() ? "" : " workload " + workload.name)
          << ": " << describe_compute(workload, experiment.server) << "\n";
    return;
  }
  http::Client client(experiment.crawl.timeout_ms);
  if (experiment.base_url) {
    settings_.base_url = *experiment.base_url;  // the loader dropped any trailing '/'
    const json root = announcement(client, settings_.base_url, log);
    settings_.puzzle = remote_puzzle(root, experiment);
    seed_ = root.value("seed", uint64_t{0});  // 0: the server does not say
  } else {
    start_embedded(experiment, log);
  }
  settings_.start_id = resolve_start(client, settings_.base_url, experiment.crawl.start);
  settings_.max_pages = experiment.crawl.max_pages;
  settings_.timeout_ms = experiment.crawl.timeout_ms;
  settings_.retries = experiment.crawl.retries;
  settings_.policy = experiment.crawl.policy;
  if (settings_.max_pages == 0) settings_.graph = known_graph(client, settings_.base_url, log);
  settings_.server_metrics = fetch_server_counts(client, settings_.base_url).has_value();
}

void Target::start_embedded(const config::Experiment &experiment, std::ostream &log) {
  const auto start = std::chrono::steady_clock::now();
  auto graph = std::make_shared<const server::Graph>(server::Graph::build(experiment.server));
  const double made_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  server_ = std::make_unique<server::Server>(graph);
  server_->start();
  settings_.base_url = server_->base_url();
  settings_.puzzle = params_from(experiment.server);
  seed_ = experiment.server.seed;
  log << "concur: embedded demo server on " << settings_.base_url << ": " << experiment.server.pages
      << " pages, seed " << seed_ << ", delay_scale " << experiment.server.delay_scale
      << " (graph and puzzles made in " << made_s << " s, puzzle cache "
      << server::cache_outcome_name(graph->build_stats().cache) << ")\n";
}

Target::~Target() = default;

results::RunResult run_once(const PlannedRun &planned, const CrawlSettings &given,
                            server::Server *embedded, ScriptOutcome *script) {
  CrawlSettings settings = given;
  settings.run_info.strategy = planned.plugin->name();
  settings.run_info.options = config::describe(planned.options);
  settings.gil = planned.gil.value_or(false);
  if (planned.compute) {
    settings.compute = planned.compute;
    settings.workload = planned.workload;
  }
  settings.run_info.base_url = settings.base_url;
  settings.run_info.max_pages = settings.max_pages;
  if (embedded != nullptr) embedded->reset_request_counts();
  http::Client probe(settings.timeout_ms);
  const std::optional<ServerCounts> before =
      settings.server_metrics ? fetch_server_counts(probe, settings.base_url) : std::nullopt;
  results::reset_peak_rss();
  const server::Server::Usage server0 =
      embedded ? embedded->thread_usage() : server::Server::Usage{};
  // Children count too (the processes strategy): reaped ones appear in RUSAGE_CHILDREN.
  const results::CpuTimes cpu0 = results::process_cpu() + results::children_cpu();
  const auto start = std::chrono::steady_clock::now();

  CrawlRun crawl(settings);
  plugin::run_plugin(*planned.plugin, crawl, planned.options);

  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const results::CpuTimes cpu1 = results::process_cpu() + results::children_cpu();
  const server::Server::Usage server1 =
      embedded ? embedded->thread_usage() : server::Server::Usage{};

  results::RunResult r = crawl.totals();
  if (const auto after = before ? fetch_server_counts(probe, settings.base_url) : std::nullopt) {
    r.server_requests = after->requests - before->requests;
    r.server_errors = after->errors - before->errors;
  }
  r.strategy = planned.plugin->name();
  r.options = options_of(planned);
  r.gil = planned.gil ? (*planned.gil ? "true" : "false") : "";
  r.wall_s = wall;
  r.cpu_user_s = (cpu1.user_s - cpu0.user_s) - (server1.user_s - server0.user_s);
  r.cpu_sys_s = (cpu1.sys_s - cpu0.sys_s) - (server1.sys_s - server0.sys_s);
  r.max_rss_mb = results::peak_rss_mb();
  r.base_url = settings.base_url;
  r.start = settings.start_id;
  r.max_pages = settings.max_pages;
  r.retries = settings.retries;
  r.fetch_policy = crawl::describe(settings.policy);
  r.timeout_ms = settings.timeout_ms;
  r.puzzle = settings.compute ? "" : describe_puzzle(settings.puzzle);
  r.workload = settings.compute ? settings.workload : "crawl";
  if (settings.compute) r.fetch_policy.clear();
  r.script = settings.hooks ? settings.hooks->path() : "";
  r.cores = results::usable_cores();
  r.nproc = static_cast<int>(std::thread::hardware_concurrency());
  if (script != nullptr) {
    script->workers = crawl.take_worker_hooks();
    script->traceback = crawl.script_traceback();
  }
  return r;
}

script::Row row_of(const results::RunResult &r) {
  const auto header = results::csv_header();
  auto fields = results::csv_fields(r);
  script::Row row;
  for (size_t i = 0; i < header.size(); ++i) row.emplace_back(header[i], std::move(fields[i]));
  return row;
}

results::RunResult measure(const PlannedRun &planned, const CrawlSettings &settings,
                           server::Server *embedded, script::MainHooks *main, std::ostream &log,
                           bool *script_failed) {
  ScriptOutcome outcome;
  results::RunResult r = run_once(planned, settings, embedded, &outcome);
  auto fail = [&](const std::string &error, const std::string &traceback) {
    r.status = "failed";
    r.error = error;
    if (!traceback.empty()) log << "concur: " << error << "\n" << traceback << "\n";
    if (script_failed) *script_failed = true;
  };
  if (!outcome.traceback.empty()) {
    fail(r.error, outcome.traceback);  // a hook ended the run: no on_result, no done
    return r;
  }
  if (main == nullptr) return r;
  try {
    // done() first: it can gather the workers' figures into a global that
    // on_result() then turns into columns.
    const script::Row row = row_of(r);
    main->done(row, outcome.workers);
    outcome.workers.clear();  // the worker states go before on_result, which cannot see them
    r.extra_columns = main->on_result(row);
  } catch (const script::ScriptError &e) {
    fail(e.what(), e.traceback().empty() ? "(no Lua traceback)" : e.traceback());
  }
  return r;
}

int run_experiment(const config::Experiment &experiment, const RunOptions &options,
                   std::ostream &out, std::ostream &log) {
  const std::vector<PlannedRun> runs = plan(experiment);  // config errors surface before any work
  // The hooks script is checked before anything runs: a broken one is a config error.
  std::shared_ptr<const script::HookScript> hooks;
  std::unique_ptr<script::MainHooks> main_hooks;
  if (!experiment.script.empty()) {
    hooks = script::HookScript::load(experiment.script);
    main_hooks = std::make_unique<script::MainHooks>(hooks);
  }
  results::CsvWriter csv(options.csv_path.empty() ? experiment.output.runs : options.csv_path);
  const std::string summary_path = experiment.output.summary.empty()
                                       ? results::summary_path_for(csv.path())
                                       : experiment.output.summary;
  std::vector<results::RunFigures> figures;
  const std::string trace_path =
      options.trace_path.empty() ? experiment.output.trace : options.trace_path;
  const std::string requests_path =
      options.requests_path.empty() ? experiment.output.requests : options.requests_path;
  std::unique_ptr<results::TraceWriter> trace;
  if (!trace_path.empty()) trace = std::make_unique<results::TraceWriter>(trace_path);
  std::unique_ptr<results::RequestsCsv> requests;
  if (!requests_path.empty()) requests = std::make_unique<results::RequestsCsv>(requests_path);
  Target target(experiment, log);

  CrawlSettings settings = target.settings();
  settings.hooks = hooks;
  settings.run_info.seed = target.seed();
  // Warm-up runs use the hooks too (they shape the crawl), but not on_result or done.
  for (int w = 0; w < experiment.warmup; ++w)
    for (const auto &planned : runs) run_once(planned, settings, target.embedded());

  size_t options_width = 0;
  for (const auto &planned : runs)
    options_width = std::max(options_width, options_of(planned).size());
  if (!options.quiet) results::print_summary_header(out, options_width);
  bool all_ok = true;
  int run_index = 0;
  std::optional<results::Progress> progress;
  if (!options.quiet)
    progress.emplace(log, options.terminal, static_cast<int>(runs.size()) * experiment.repeat,
                     options.progress_interval_s);
  if (progress) settings.live = &progress->live();
  bool script_failed = false;
  std::map<std::string, double> sequential_walls;  // by repeat, workload and gil
  const auto began = std::chrono::steady_clock::now();
  // Repeats go round the whole matrix, so slow drift of the machine spreads
  // over every strategy instead of favouring whichever ran first.
  for (int rep = 1; rep <= experiment.repeat && !script_failed; ++rep) {
    for (const auto &planned : runs) {
      if (script_failed) break;  // a script's mistake repeats in every run: stop at the first
      const double offset_s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
      if (progress) progress->run_started(run_index + 1, label_of(planned));
      results::RunResult r =
          measure(planned, settings, target.embedded(), main_hooks.get(), log, &script_failed);
      if (progress) progress->run_finished();
      if (const auto unknown = csv.unknown_columns(r); !unknown.empty()) {
        r.status = "failed";
        r.error = experiment.script + ": on_result returned column '" + unknown.front() +
                  "', which the first run's row did not have (it fixed the CSV's columns)";
        script_failed = true;
      }
      r.experiment = experiment.name;
      r.repeat = rep;
      r.seed = target.seed();
      compare_with_sequential(r, planned, sequential_walls);
      csv.write(r);
      warn_if_server_disagrees(r, log);
      ++run_index;
      if (trace) trace->add_run(r, run_index, offset_s);
      if (requests) requests->add_run(r, run_index);
      figures.push_back(results::figures_of(r));
      results::write_summary_csv(summary_path, figures);
      if (!options.quiet) results::print_summary_row(out, r, options_width);
      if (r.status != "ok") {
        all_ok = false;
        log << "concur: run failed: " << r.strategy << " " << r.options << ": " << r.error << '\n';
      }
    }
  }
  progress.reset();
  log << "concur: wrote " << csv.path() << " and " << summary_path;
  if (trace) log << ", the trace " << trace->path();
  if (requests) log << ", the requests " << requests->path();
  log << '\n';
  return all_ok ? 0 : 1;
}

}  // namespace concur::crawl
