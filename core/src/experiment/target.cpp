#include "experiment/target.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "crawl/cheat.hpp"
#include "crawl/server_counts.hpp"
#include "crawl/solve_order.hpp"
#include "experiment/compute_plan.hpp"
#include "server/graph.hpp"
#include "server/progress.hpp"
#include "server/server.hpp"

namespace concur::experiment {
namespace {

using crawl::PuzzleParams;
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

// How long a run waits for a server that says it is starting: longer than
// the full-size puzzles take on one core (~1000 CPU-seconds).
constexpr auto kStartingWait = std::chrono::minutes(30);
// Between two questions, whatever the Retry-After: progress stays visible.
constexpr auto kStartingPoll = std::chrono::seconds(5);
// Between two progress lines in the log.
constexpr auto kStartingLine = std::chrono::seconds(30);

// GET `url`; while the answer is a starting server's (PROTOCOL.md: 503 with
// a Retry-After), waits and asks again, its progress in the log, for at most
// kStartingWait: a run never measures a server that is not ready yet.
http::Response get_when_started(http::Client &client, const std::string &url, std::ostream &log) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + kStartingWait;
  auto next_line = Clock::now();
  for (;;) {
    http::Response r = client.get(url);
    if (r.status != 503 || r.retry_after_s <= 0) return r;
    const auto now = Clock::now();
    if (now >= deadline)
      throw std::runtime_error(
          url + " is still starting after " +
          server::Progress::duration_text(std::chrono::duration<double>(kStartingWait).count()) +
          " (" + describe_starting(r.body, r.retry_after_s) + ")");
    if (now >= next_line) {
      log << "concur: " << url << " is starting (" << describe_starting(r.body, r.retry_after_s)
          << "): waiting for it, at most "
          << server::Progress::duration_text(std::chrono::duration<double>(deadline - now).count())
          << "\n"
          << std::flush;
      next_line = now + kStartingLine;
    }
    const auto pause = std::min<Clock::duration>(
        {std::chrono::seconds(r.retry_after_s), kStartingPoll, deadline - now});
    std::this_thread::sleep_for(pause);
  }
}

// `GET /` (PROTOCOL.md): the server's announcement, once it has started, or
// an empty one from a server that answers it with an error or no JSON (a
// server of someone else's, the hostile test's): the crawl can go on without
// it. A server that does not answer at all fails here, before any run.
json announcement(http::Client &client, const std::string &base_url, std::ostream &log) {
  const std::string url = base_url + "/";
  const http::Response r = get_when_started(client, url, log);
  if (r.status == 0) throw std::runtime_error("GET " + url + " failed: " + r.error);
  json body = r.ok() ? json::parse(r.body, nullptr, false) : json();
  if (body.is_object()) return body;
  log << "concur: warning: " << url << " announces nothing ("
      << (r.ok() ? "the answer is no JSON object" : "HTTP " + std::to_string(r.status))
      << "): puzzle settings from the config or the course's defaults, seed unknown\n";
  return json::object();
}

bool given(const config::Experiment &experiment, const char *key) {
  const auto &keys = experiment.server_keys;
  return std::find(keys.begin(), keys.end(), key) != keys.end();
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
  if (given(experiment, "hash_rule")) p.rule = configured.rule;
  if (given(experiment, "cpu_iterations")) p.cpu_iterations = configured.cpu_iterations;
  if (given(experiment, "core_iterations")) p.core_iterations = configured.core_iterations;
  if (given(experiment, "id_length")) p.id_length = configured.id_length;
  return p;
}

// Which profile the server serves, as far as its answers tell (PROTOCOL.md,
// "Profiles"): what it announces, else the length of its ids — the
// original's newest server has 6 hex characters, the course's 4. `evidence`
// says which. nullopt: it cannot be told.
std::optional<server::Profile> served_profile(const json &root, const std::string &start_id,
                                              std::string &evidence) {
  using server::Profile;
  if (auto it = root.find("puzzle"); it != root.end() && it->is_object()) {
    const auto length = it->find("id_length");
    const auto rule = it->find("hash_rule");
    if (length == it->end() || !length->is_number_unsigned() || rule == it->end() ||
        !rule->is_string())
      return std::nullopt;
    evidence = "it announces hash_rule " + rule->get<std::string>() + " and id_length " +
               std::to_string(length->get<unsigned>());
    const auto ours = server::profile_settings(Profile::course);
    const auto original = server::profile_settings(Profile::original);
    auto is = [&](const server::Settings &s) {
      return length->get<unsigned>() == static_cast<unsigned>(s.id_length) &&
             rule->get<std::string>() == hash::rule_name(s.hash_rule);
    };
    if (is(original)) return Profile::original;
    return is(ours) ? std::optional(Profile::course) : std::nullopt;
  }
  evidence =
      "its first page's id " + start_id + " has " + std::to_string(start_id.size()) + " characters";
  if (start_id.size() == 6) return Profile::original;
  return start_id.size() == 4 ? std::optional(Profile::course) : std::nullopt;
}

// A given profile the server contradicts is a config error naming the key; a
// server that announces nothing and serves the original's ids is crawled with
// the original's puzzle settings (those the config gives aside), said in one line.
PuzzleParams settle_profile(const json &root, const config::Experiment &experiment,
                            const std::string &start_id, PuzzleParams p, std::ostream &log) {
  std::string evidence;
  const auto served = served_profile(root, start_id, evidence);
  if (!served) return p;
  const std::string url = *experiment.base_url;
  if (given(experiment, "profile")) {
    if (*served == experiment.server.profile) return p;
    const std::string name(server::profile_name(*served));
    throw config::ConfigError(experiment.profile_where, "server.profile",
                              "is " + std::string(server::profile_name(experiment.server.profile)) +
                                  ", but " + url + " serves profile " + name + " (" + evidence +
                                  "): set it to " + name + " or leave it out");
  }
  if (root.contains("puzzle") || *served != server::Profile::original) return p;
  const server::Settings original = server::profile_settings(server::Profile::original);
  if (!given(experiment, "hash_rule")) p.rule = original.hash_rule;
  if (!given(experiment, "cpu_iterations")) p.cpu_iterations = original.cpu_iterations;
  if (!given(experiment, "core_iterations")) p.core_iterations = original.core_iterations;
  if (!given(experiment, "id_length")) p.id_length = original.id_length;
  log << "concur: " << url << " announces no puzzle settings and " << evidence
      << ", as the original server's: crawling it as profile: original (" << hash::rule_name(p.rule)
      << " rule, " << p.cpu_iterations << "/" << p.core_iterations << " iterations, id_length "
      << p.id_length << "); set server.profile to say otherwise\n";
  return p;
}

std::string resolve_start(http::Client &client, const std::string &base_url,
                          const std::string &start) {
  if (start == "root") {
    json root = get_json(client, base_url + "/api/");
    const json &links = root.at("links");
    if (!links.is_array() || links.empty() || !links[0].is_string())
      throw std::runtime_error(base_url + "/api/ lists no first page");
    if (auto id = crawl::link_to_id(links[0].get<std::string>())) return *id;
    throw std::runtime_error(base_url + "/api/: cannot read link " + links[0].dump());
  }
  if (start == "random") return get_json(client, base_url + "/graph/random").at("page_id");
  return start;
}

// The server's whole graph from `/api/cheat/`, in either shape, or null when
// it has none or sends something else (said in one line): the bound then
// covers the discovered pages only, and coverage is unknown.
std::shared_ptr<const results::KnownGraph> known_graph(http::Client &client,
                                                       const std::string &base_url,
                                                       std::ostream &log) {
  const std::string url = base_url + "/api/cheat/";
  const http::Response r = client.get(url);
  if (!r.ok()) return nullptr;
  auto graph = crawl::parse_cheat(r.body);
  if (!graph) {
    log << "concur: " << url << " answers, but neither as {id: {page_type, links}} nor as "
        << "{id: [ids]}: bounds cover the discovered pages, coverage unknown\n";
    return nullptr;
  }
  // Only a run that reaches all of it, with no on_page hook choosing links, is
  // bounded over the whole graph (experiment/row.cpp): say so, not more.
  log << "concur: " << url << " gives the whole graph (" << graph->links.size()
      << " pages): coverage counts against it, and a run that reaches all of it (no on_page "
         "hook choosing links) is bounded over it (bound_basis=graph)\n";
  return std::make_shared<const results::KnownGraph>(std::move(*graph));
}

// crawl.retries, or for `auto` the fewest that keep the expected failure
// pages given up per crawl below crawl::kLostPagesPerCrawl, said in one line.
// A remote server does not announce its failure rate: the protocol's
// defaults (10% failure pages failing 90% of the time) stand in.
int retries_for(const config::Experiment &experiment, long announced_pages, std::ostream &log) {
  if (experiment.crawl.retries != config::kAutoRetries) return experiment.crawl.retries;
  const auto failure = static_cast<size_t>(server::PageType::failure);
  const server::Settings protocol;
  const server::Settings &s = experiment.base_url ? protocol : experiment.server;
  const long pages = experiment.base_url && announced_pages > 0 ? announced_pages : s.pages;
  const double failure_pages = static_cast<double>(pages) * s.shares[failure];
  const int retries = crawl::auto_retries(s.failure_rate, failure_pages);
  char line[256];
  std::snprintf(line, sizeof line,
                "concur: retries auto = %d: %.0f failure pages failing %.0f%% of the time give up "
                "%.2g times per crawl on average%s\n",
                retries, failure_pages, 100 * s.failure_rate,
                crawl::expected_lost_pages(s.failure_rate, failure_pages, retries),
                experiment.base_url ? " (the protocol's default shares and failure rate: the "
                                      "server does not announce its own)"
                                    : "");
  log << line;
  return retries;
}

// Seconds each page type takes to answer, by its name: our server's settings,
// a remote server's the protocol's (it does not announce its own).
std::unordered_map<std::string, double> type_delays_s(const server::Settings &s) {
  std::unordered_map<std::string, double> delay_s;
  for (size_t t = 0; t < server::kPageTypeCount; ++t)
    delay_s[server::kPageTypeNames[t]] = s.delays_ms[t] * s.delay_scale / 1000;
  return delay_s;
}

// hedge: auto's plan: from the whole graph when the server gives it, with
// each type's delay and the failure rate of our server's settings (a remote
// server's: the protocol's), said in one line.
std::shared_ptr<const crawl::HedgePlan> hedge_plan_for(const config::Experiment &experiment,
                                                       const crawl::CrawlSettings &settings,
                                                       std::ostream &log) {
  const server::Settings protocol;
  const server::Settings &s = experiment.base_url ? protocol : experiment.server;
  if (!settings.graph) {
    log << "concur: hedge auto without the server's whole graph (max_pages set, or no "
           "/api/cheat/): a page's first attempt sends one request, later ones more as it "
           "keeps failing\n";
    return std::make_shared<const crawl::HedgePlan>(
        crawl::HedgePlan::without_graph(s.failure_rate));
  }
  const auto delay_s = type_delays_s(s);
  const double regular_s = delay_s.at("regular");
  auto plan = std::make_shared<const crawl::HedgePlan>(crawl::HedgePlan::from_graph(
      *settings.graph, settings.start_id, delay_s, regular_s, s.failure_rate));
  char line[320];
  std::snprintf(line, sizeof line,
                "concur: hedge auto: %zu failure pages on a %.2f s critical path (delays only); "
                "%zu of them hedged from their first attempt, the others as their slack runs "
                "out%s\n",
                plan->failure_pages(), plan->critical_path_s(), plan->hedged_from_start(),
                experiment.base_url ? " (the protocol's delays and failure rate: the server does "
                                      "not announce its own)"
                                    : "");
  log << line;
  return plan;
}

// The order queued puzzles are best solved in (crawl/solve_order.hpp), from
// the whole graph when the server gives it and it has puzzle pages.
std::shared_ptr<const crawl::SolveOrder> solve_order_for(const config::Experiment &experiment,
                                                         const crawl::CrawlSettings &settings,
                                                         std::ostream &log) {
  if (!settings.graph) return nullptr;
  const server::Settings protocol;
  const server::Settings &s = experiment.base_url ? protocol : experiment.server;
  const auto delay_s = type_delays_s(s);
  auto order = std::make_shared<const crawl::SolveOrder>(crawl::SolveOrder::from_graph(
      *settings.graph, settings.start_id, delay_s, delay_s.at("regular"), s.failure_rate,
      1L + settings.retries, settings.puzzle));  // long: retries may be INT_MAX
  if (order->puzzle_pages() == 0) return nullptr;
  log << "concur: solve order: the graph's " << order->puzzle_pages()
      << " puzzle pages ranked by what their links lead to; strategies that queue puzzles "
         "solve the most urgent first\n";
  return order;
}

}  // namespace

// Only fields of the right type are read: the body is anyone's bytes.
std::string describe_starting(std::string_view body, long retry_after_s) {
  const json j = json::parse(body, nullptr, false);
  auto count = [&j](const char *key) -> uint64_t {
    if (!j.is_object()) return 0;
    const auto it = j.find(key);
    return it != j.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
  };
  const uint64_t made = count("puzzles_made"), total = count("puzzles_total");
  if (total == 0) return "it asks to retry after " + std::to_string(retry_after_s) + " s";
  std::string text = std::to_string(made) + "/" + std::to_string(total) + " puzzles made";
  const auto left = j.find("seconds_left");
  if (left != j.end() && left->is_number()) {
    const double seconds = left->get<double>();
    if (seconds >= 0 && seconds < 1e8)  // a year and more is no estimate
      text += ", about " + server::Progress::duration_text(seconds) + " left";
  }
  return text;
}

Target::Target(const config::Experiment &experiment, std::ostream &log) {
  if (experiment.compute) {
    announce_compute(experiment, log);
    return;
  }
  http::Client client(experiment.crawl.timeout_ms);
  long announced_pages = 0;
  json root;
  if (experiment.base_url) {
    settings_.base_url = *experiment.base_url;  // the loader dropped any trailing '/'
    root = announcement(client, settings_.base_url, log);
    settings_.puzzle = remote_puzzle(root, experiment);
    seed_ = root.value("seed", uint64_t{0});  // 0: the server does not say
    if (auto total = root.find("total_pages"); total != root.end() && total->is_number_unsigned())
      announced_pages = total->get<long>();
  } else {
    start_embedded(experiment, log);
  }
  settings_.start_id = resolve_start(client, settings_.base_url, experiment.crawl.start);
  if (experiment.base_url)
    settings_.puzzle = settle_profile(root, experiment, settings_.start_id, settings_.puzzle, log);
  settings_.max_pages = experiment.crawl.max_pages;
  settings_.timeout_ms = experiment.crawl.timeout_ms;
  settings_.retries = retries_for(experiment, announced_pages, log);
  settings_.policy = experiment.crawl.policy;
  if (settings_.max_pages == 0) settings_.graph = known_graph(client, settings_.base_url, log);
  if (settings_.policy.hedge == crawl::FetchPolicy::kHedgeAuto)
    settings_.hedge_plan = hedge_plan_for(experiment, settings_, log);
  settings_.solve_order = solve_order_for(experiment, settings_, log);
  settings_.server_metrics = crawl::fetch_server_counts(client, settings_.base_url).has_value();
}

void Target::announce_compute(const config::Experiment &experiment, std::ostream &log) {
  settings_.start_id = "t0";
  settings_.puzzle.rule = hash::Rule::indexed;
  if (experiment.compute->takes_puzzles()) seed_ = experiment.server.seed;  // its graph's
  for (const auto &workload : experiment.compute->workloads)
    log << "concur: compute" << (workload.name.empty() ? "" : " workload " + workload.name) << ": "
        << describe_compute(workload, experiment.server) << "\n";
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
      << " (graph and puzzles made in " << server::Progress::duration_text(made_s)
      << ", puzzle cache " << server::cache_outcome_name(graph->build_stats().cache) << ")\n";
}

Target::~Target() = default;

}  // namespace concur::experiment
