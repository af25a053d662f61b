#include <algorithm>
#include <charconv>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli/commands.hpp"
#include "server/progress.hpp"
#include "server/puzzle_cache.hpp"
#include "server/server.hpp"
#include "server/startup.hpp"

namespace concur::cli {
namespace {

struct ServeArgs {
  server::Settings settings;
  std::string profile = "course";
  std::string hash_rule = "indexed";
  std::string link_format = "path";
  std::vector<std::string> shares;  // TYPE=SHARE, as given
  // The options whose defaults the profile chooses: given, they win over it.
  CLI::Option *id_length = nullptr, *cpu_iterations = nullptr, *core_iterations = nullptr,
              *hash_rule_option = nullptr, *link_format_option = nullptr;
};

// "TYPE=SHARE" -> (type index, share); nullopt for anything else.
std::optional<std::pair<size_t, double>> parse_share(const std::string &text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos) return std::nullopt;
  const std::string name = text.substr(0, eq), number = text.substr(eq + 1);
  size_t type = 0;
  while (type < server::kPageTypeCount && name != server::kPageTypeNames[type]) ++type;
  double share = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), share);
  if (type == server::kPageTypeCount || number.empty() || ec != std::errc() ||
      end != number.data() + number.size() || !(share >= 0 && share <= 1))
    return std::nullopt;
  return std::pair{type, share};
}

// CLI11 checked every choice. The profile first, then what was given.
void apply_names(ServeArgs &args) {
  server::Settings &s = args.settings;
  const server::Settings given = s;
  server::apply_profile(s, *server::parse_profile(args.profile));
  if (args.id_length->count() > 0) s.id_length = given.id_length;
  if (args.cpu_iterations->count() > 0) s.cpu_iterations = given.cpu_iterations;
  if (args.core_iterations->count() > 0) s.core_iterations = given.core_iterations;
  if (args.hash_rule_option->count() > 0) s.hash_rule = *hash::parse_rule(args.hash_rule);
  if (args.link_format_option->count() > 0)
    s.link_format = args.link_format == "id"    ? server::LinkFormat::id
                    : args.link_format == "url" ? server::LinkFormat::url
                                                : server::LinkFormat::path;
  for (const std::string &given_share : args.shares) {
    const auto [type, share] = *parse_share(given_share);
    s.shares[type] = share;
  }
}

// SIGINT/SIGTERM blocked (so the I/O thread, started meanwhile, inherits
// the mask) or back at their default actions in this thread.
void block_stop_signals(sigset_t &signals, bool block) {
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &signals, nullptr);
}

// Listens first, answering 503 with its progress, then makes the graph with
// the default signal actions in this thread: Ctrl-C while the puzzles are
// being made (minutes, the first time) ends the process at once (the cache is
// only ever renamed into place whole). Then SIGINT/SIGTERM are blocked again
// and waited for here: a graceful stop, not a kill.
int serve(ServeArgs &args) {
  apply_names(args);
  const server::Settings &settings = args.settings;
  try {
    server::Graph::check(settings);
  } catch (const std::invalid_argument &e) {
    std::cerr << "concur serve: " << e.what() << "\n";
    return kExitUsage;
  }
  sigset_t signals;
  block_stop_signals(signals, true);
  auto startup = std::make_shared<server::Startup>();
  // The estimate from the settings until the build counts the puzzles (it
  // may find them all in the cache instead, within milliseconds).
  const server::PuzzleCost cost = server::puzzle_cost(settings);
  startup->making(cost.puzzles, cost.seconds);
  server::Server srv(settings, startup);
  srv.start();
  std::cerr << "concur serve: listening on " << srv.base_url()
            << "/, answering 503 (with Retry-After and progress) until the graph is made\n";
  block_stop_signals(signals, false);
  server::BuildOptions options;
  options.startup = startup.get();
  auto graph = std::make_shared<const server::Graph>(server::Graph::build(settings, options));
  block_stop_signals(signals, true);
  srv.serve(graph);
  const server::BuildStats &built = graph->build_stats();
  std::cerr << "concur serve: " << settings.pages << " pages (profile "
            << server::profile_name(settings.profile) << ", seed " << settings.seed << ", made in "
            << server::Progress::duration_text(built.seconds) << ", puzzle cache "
            << server::cache_outcome_name(built.cache) << ") on " << srv.base_url()
            << "/ — Ctrl-C to stop\n";
  int received = 0;
  sigwait(&signals, &received);
  std::cerr << "concur serve: " << (received == SIGINT ? "SIGINT" : "SIGTERM")
            << ", shutting down\n";
  srv.stop();
  return kExitOk;
}

// Which graph: its size, shape and how its pages behave.
void add_graph_options(CLI::App *sub, ServeArgs &args) {
  server::Settings &s = args.settings;
  sub->add_option("--seed", s.seed, "Seed of the graph, types and puzzles")->capture_default_str();
  sub->add_option("--pages", s.pages, "Number of pages")
      ->capture_default_str()
      ->check(above_zero());
  sub->add_option("--profile", args.profile,
                  "Which server to imitate (PROTOCOL.md, \"Profiles\"): course, or original "
                  "(hashseeds/multiseeds with one puzzle per link, bare-id links, no /health, "
                  "/graph/sample or /graph/stats, a regular first page). It sets the defaults "
                  "marked course/original below; options given still win")
      ->capture_default_str()
      ->check(CLI::IsMember({"course", "original"}));
  args.id_length = sub->add_option("--id-length", s.id_length,
                                   "Hex characters per page id [course: 4, original: 6]");
  sub->add_option("--extra-edges", s.extra_edges, "Links beyond the spanning tree")
      ->capture_default_str();
  sub->add_option("--delay-scale", s.delay_scale, "Multiplies every page delay")
      ->capture_default_str()
      ->check(at_least_zero());
  sub->add_option("--failure-rate", s.failure_rate, "Chance a failure page answers 500")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  // Types not named keep their defaults, as in a config's server.shares; the
  // graph checks that the merged shares sum to 1.
  sub->add_option("--shares", args.shares,
                  "Share of each page type, TYPE=SHARE[,...]: regular, delay, failure, cpu, "
                  "core; types not named keep their defaults (0.6, 0.1, 0.1, 0.1, 0.1), and "
                  "all must sum to 1. regular=0.9,delay=0.1,failure=0,cpu=0,core=0 serves "
                  "links on every page: no puzzles, no errors")
      ->delimiter(',')
      ->check(CLI::Validator(
          [](std::string &text) {
            return parse_share(text) ? std::string()
                                     : "expected TYPE=SHARE (TYPE one of regular, delay, "
                                       "failure, cpu, core; SHARE in 0..1), got '" +
                                           text + "'";
          },
          "TYPE=SHARE"));
}

// The puzzles and how page bodies write links: defaults of the profile.
void add_puzzle_options(CLI::App *sub, ServeArgs &args) {
  server::Settings &s = args.settings;
  args.cpu_iterations =
      sub->add_option("--cpu-iterations", s.cpu_iterations,
                      "Chain length of a cpu page's puzzle [course: 50000000, original: 5000000]");
  args.core_iterations =
      sub->add_option("--core-iterations", s.core_iterations,
                      "Chain length of each core seed [course: 12500000, original: 1250000]");
  args.hash_rule_option =
      sub->add_option("--hash-rule", args.hash_rule,
                      "Chain step: md5(r_i) or md5(r) [course: indexed, original: plain]")
          ->check(CLI::IsMember({"indexed", "plain"}));
  args.link_format_option =
      sub->add_option("--link-format", args.link_format,
                      "How page bodies write links [course: path, original: id]")
          ->check(CLI::IsMember({"path", "id", "url"}));
}

// What starting costs, for --help: figures of this machine, from the same
// estimate the start line and the 503s use.
std::string startup_help() {
  const server::Settings course = server::profile_settings(server::Profile::course);
  const server::PuzzleCost cost = server::puzzle_cost(course);
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  const std::string cache = server::default_cache_dir();
  return "Starting: the graph's puzzles are made first, as much CPU as solving them. At the "
         "default sizes (" +
         std::to_string(course.pages) + " pages, cpu/core iterations " +
         std::to_string(course.cpu_iterations) + "/" + std::to_string(course.core_iterations) +
         ") that is " + std::to_string(cost.puzzles) + " puzzles, about " +
         server::Progress::duration_text(cost.seconds) + " on this machine's " +
         std::to_string(cores) +
         " core(s); --cpu-iterations 200000 --core-iterations 50000 "
         "makes them in moments. Meanwhile the server already listens and answers every "
         "request 503 with a Retry-After and its progress (/health too).\n"
         "Puzzle cache: puzzles that take more than ~2 CPU-seconds are kept, keyed by every "
         "setting that changes them, in " +
         (cache.empty() ? std::string("$CONCUR_CACHE_DIR (unset here)") : cache) +
         " ($CONCUR_CACHE_DIR, else $XDG_CACHE_HOME/concur, else ~/.cache/concur); a later "
         "start with the same settings loads them in milliseconds.";
}

}  // namespace

Subcommand add_serve(CLI::App &app) {
  auto args = std::make_shared<ServeArgs>();
  server::Settings &s = args->settings;
  s.port = 5000;  // the course's server listens there
  CLI::App *sub = app.add_subcommand("serve", "Run the demo web server (PROTOCOL.md)");
  sub->add_option("--host", s.host, "Address to bind (use 0.0.0.0 only when you mean it)")
      ->capture_default_str();
  sub->add_option("--port", s.port, "Port (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  add_graph_options(sub, *args);
  add_puzzle_options(sub, *args);
  sub->add_option("--max-connections", s.max_connections, "Open connections at most")
      ->capture_default_str()
      ->check(above_zero());
  sub->add_option("--idle-timeout", s.idle_timeout_s,
                  "Seconds a client may take to send a request or take an answer (0: no limit)")
      ->capture_default_str()
      ->check(at_least_zero());
  sub->footer(startup_help());
  return {sub, [args] { return serve(*args); }};
}

}  // namespace concur::cli
