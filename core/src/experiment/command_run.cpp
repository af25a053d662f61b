#include "experiment/command_run.hpp"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "hash/md5_chain.hpp"
#include "server/server.hpp"

namespace concur::experiment {
namespace {

using server::Graph;
using server::PageType;

// What the program is told: the placeholders' values, also as CONCUR_*
// environment variables (an option `workers` as CONCUR_OPT_WORKERS).
struct Told {
  std::map<std::string, std::string> values;
  std::vector<std::pair<std::string, std::string>> env;
};

Told told(const PlannedRun &planned, const crawl::CrawlSettings &s, uint64_t seed) {
  Told t;
  t.values = {{"base_url", s.base_url},
              {"start", s.start_id},
              {"seed", std::to_string(seed)},
              {"max_pages", std::to_string(s.max_pages)},
              {"timeout_ms", std::to_string(s.timeout_ms)},
              {"retries", std::to_string(s.retries)}};
  for (const auto &[name, value] : t.values) {
    std::string key = "CONCUR_" + name;
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    t.env.emplace_back(key, value);
  }
  for (const auto &option : planned.options) {
    t.values[option.name] = option.value.text;
    std::string key = "CONCUR_OPT_" + option.name;
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) {
      return std::isalnum(c) ? static_cast<char>(std::toupper(c)) : '_';
    });
    t.env.emplace_back(key, option.value.text);
  }
  return t;
}

double thread_cpu_s() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// concur's own md5 chain, seconds per step on this machine (the least of three
// short timings, in this thread's CPU time): what a puzzle costs the best
// crawler here, so every crawler, in any language, is held to one bound.
double seconds_per_step(hash::Rule rule) {
  static std::mutex mutex;
  static std::map<hash::Rule, double> measured;
  const std::lock_guard lock(mutex);
  if (auto it = measured.find(rule); it != measured.end()) return it->second;
  constexpr uint64_t kSteps = 200'000;
  double best = 1;
  for (int i = 0; i < 3; ++i) {
    const double t0 = thread_cpu_s();
    hash::chain("calibrate" + std::to_string(i), kSteps, rule);
    best = std::min(best, (thread_cpu_s() - t0) / kSteps);
  }
  return measured[rule] = best;
}

std::vector<uint32_t> reachable(const Graph &graph, uint32_t start) {
  std::vector<bool> seen(graph.pages().size());
  std::vector<uint32_t> order{start};
  seen[start] = true;
  for (size_t i = 0; i < order.size(); ++i)
    for (uint32_t next : graph.page(order[i]).links)
      if (!seen[next]) {
        seen[next] = true;
        order.push_back(next);
      }
  return order;
}

// The run's figures as the server counted them.
// Pages are named in `names`.
crawl::WorkerStats server_side(const Graph &graph, const server::Server::PageCounts &counts,
                               results::PageNames &names) {
  crawl::WorkerStats w;
  long pages_asked = 0;
  for (uint32_t i = 0; i < counts.requests.size(); ++i) {
    if (counts.requests[i] == 0) continue;
    ++pages_asked;
    w.requests += counts.requests[i];
    const server::Page &page = graph.page(i);
    const std::string type = server::page_type_name(page.type);
    if (counts.ok[i] == 0) {
      ++w.pages_failed;
      ++w.give_ups;
      ++w.failures[page.type == PageType::failure ? "http_500" : "unanswered"];
      continue;
    }
    ++w.pages_ok;
    results::LinkList links;
    for (uint32_t to : page.links) links.push_back(graph.page(to).id);
    w.pages.push_back({names.intern(page.id).first, names.type_index(type), std::move(links)});
  }
  w.retries = w.requests - pages_asked;
  results::sort_by_page(w.pages);
  return w;
}

// The bound's raw material, costed as the server and concur's own chain set
// them, not as the program was seen to take: a fetch costs its page's
// configured delay, a puzzle its steps at concur's speed.
results::Events bound_events(const Graph &graph, const std::vector<uint32_t> &pages,
                             results::PageNames &names) {
  const server::Settings &s = graph.settings();
  const double per_step = seconds_per_step(s.hash_rule);
  results::Events events;
  for (uint32_t i : pages) {
    const server::Page &page = graph.page(i);
    results::Event fetch;
    fetch.page = names.intern(page.id).first;
    fetch.status = 200;
    fetch.end_s = s.delays_ms[static_cast<size_t>(page.type)] * s.delay_scale / 1000;
    events.push_back(fetch);
    const double steps =
        static_cast<double>(page.type == PageType::cpu ? s.cpu_iterations : s.core_iterations);
    for (size_t unit = 0; unit < page.seeds.size(); ++unit) {
      results::Event solve;
      solve.kind = results::Event::Kind::solve;
      solve.page = fetch.page;
      solve.status = static_cast<long>(unit);
      solve.cpu_s = steps * per_step;
      solve.end_s = solve.cpu_s;
      events.push_back(solve);
    }
  }
  return events;
}

results::RunBound bound_of(const Graph &graph, uint32_t start, const crawl::WorkerStats &w,
                           results::PageNames &names, bool complete) {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::string &start_id = graph.page(start).id;
  if (complete) {
    const auto pages = reachable(graph, start);
    results::KnownGraph known;
    for (uint32_t i : pages) {
      const server::Page &page = graph.page(i);
      auto &links = known.links[page.id];
      for (uint32_t to : page.links) links.push_back(graph.page(to).id);
      known.types[page.id] = server::page_type_name(page.type);
    }
    return {results::graph_lower_bound(start_id, bound_events(graph, pages, names), names, known,
                                       cores),
            "graph"};
  }
  std::vector<uint32_t> reached;
  for (const auto &page : w.pages)
    if (auto index = graph.find(names.name(page.page))) reached.push_back(*index);
  return {
      results::lower_bound(start_id, bound_events(graph, reached, names), names, w.pages, cores),
      "discovered"};
}

// Puzzle pages it fetched whose hidden links it never asked for: it skipped
// or botched them. (A hidden link also linked in clear elsewhere, and asked
// for from there, hides a skipped puzzle: the count is a floor.)
void find_unsolved(const Graph &graph, const server::Server::PageCounts &counts,
                   CommandOutcome &out) {
  for (uint32_t i = 0; i < counts.ok.size(); ++i) {
    const server::Page &page = graph.page(i);
    if (counts.ok[i] == 0 || page.seeds.empty()) continue;
    ++out.puzzles_served;
    for (uint32_t to : page.links)
      if (counts.requests[to] == 0) {
        out.unsolved.push_back(page.id);
        break;
      }
  }
}

std::string last_lines(const std::string &text, size_t max_chars) {
  if (text.size() <= max_chars) return text;
  std::string tail = text.substr(text.size() - max_chars);
  if (const size_t nl = tail.find('\n'); nl != std::string::npos) tail.erase(0, nl + 1);
  return "..." + tail;
}

}  // namespace

CommandOutcome run_command(const PlannedRun &planned, const crawl::CrawlSettings &settings,
                           server::Server &embedded, uint64_t seed, crawl::TaskObserver *observer) {
  CommandOutcome out;
  const Told t = told(planned, settings, seed);
  out.line = fill_placeholders(planned.command->run, t.values);  // checked when planned
  out.timeout_s = planned.command->timeout_s;
  const Graph &graph = embedded.graph();
  seconds_per_step(graph.settings().hash_rule);  // calibrated before, not during, the run
  embedded.reset_request_counts();
  const uint64_t accepted_before = embedded.stats().accepted;

  long told_pages = 0;  // pages answered so far, as the progress line was told
  auto tell_progress = [&] {
    if (observer == nullptr) return;
    const auto ok = embedded.page_counts().ok;
    const long answered = std::count_if(ok.begin(), ok.end(), [](uint32_t n) { return n > 0; });
    for (; told_pages < answered; ++told_pages) observer->completed(true);
  };
  out.program = run_program(out.line, t.env, out.timeout_s, tell_progress);

  const auto counts = embedded.page_counts();
  auto names = std::make_shared<results::PageNames>();
  out.totals.work = server_side(graph, counts, *names);
  out.totals.names = names;
  out.totals.work.connections = static_cast<long>(embedded.stats().accepted - accepted_before);
  out.measured.wall_s = out.program.wall_s;
  out.measured.cpu = out.program.cpu;
  out.measured.max_rss_mb = out.program.peak_rss_mb;
  find_unsolved(graph, counts, out);
  const auto start = graph.find(settings.start_id);
  if (start) {
    const long known = static_cast<long>(reachable(graph, *start).size());
    const bool complete = settings.max_pages == 0 && out.totals.work.pages_ok >= known &&
                          out.totals.work.pages_failed == 0;
    out.bound = bound_of(graph, *start, out.totals.work, *names, complete);
  }
  return out;
}

void judge_command(results::RunResult &r, const CommandOutcome &out) {
  r.program = out.line;
  r.critical_path_s = out.bound.bound.critical_path_s;
  r.cpu_bound_s = out.bound.bound.cpu_bound_s;
  r.bound_basis = out.bound.basis;
  const ProgramRun &p = out.program;
  const std::string said = p.stderr_tail.empty()
                               ? std::string()
                               : "; its stderr ends: " + last_lines(p.stderr_tail, 300);
  if (p.timed_out) {
    char text[96];
    std::snprintf(text, sizeof text, "stopped at its timeout (timeout_s = %g s)", out.timeout_s);
    r.fail(text + said);
  } else if (p.signal != 0) {
    r.fail("ended by signal " + std::to_string(p.signal) + said);
  } else if (p.exit_code != 0) {
    r.fail("exited with status " + std::to_string(p.exit_code) + said);
  }
  if (p.left_behind > 0)
    r.validity.push_back({"left_processes", std::to_string(p.left_behind) +
                                                " process(es) of its group still ran when it "
                                                "ended: killed"});
  if (!out.unsolved.empty()) {
    const std::string detail =
        std::to_string(out.unsolved.size()) + " of the " + std::to_string(out.puzzles_served) +
        " puzzle pages it fetched had a hidden link it never requested (e.g. " +
        out.unsolved.front() + "): puzzles skipped or answered wrong";
    r.validity.push_back({"puzzles_unsolved: " + std::to_string(out.unsolved.size()), detail});
    if (r.ok()) r.fail(detail);
  }
}

}  // namespace concur::experiment
