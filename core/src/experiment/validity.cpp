#include "experiment/validity.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <set>
#include <unordered_set>
#include <vector>

#include "crawl/fetcher.hpp"

namespace concur::experiment {
namespace {

using results::Event;
using results::RunResult;

void flag(RunResult &r, std::string reason, std::string detail) {
  r.validity.push_back({std::move(reason), std::move(detail)});
}

bool is_puzzle_type(const std::string &type) {
  return type == "cpu" || type == "core";
}

// Pages that are the answers of the puzzles this run solved: the links of its
// cpu and core pages (such a page has no other links, in either profile).
std::unordered_set<std::string> puzzle_answers(const RunResult &r) {
  std::unordered_set<std::string> answers;
  for (const auto &page : r.pages)
    if (is_puzzle_type(r.type_of(page)))
      for (std::string_view link : page.links) answers.emplace(link);
  return answers;
}

// The original's newest server has 6-hex ids (PROTOCOL.md, "Profiles").
bool looks_like_original(const RunResult &r) {
  return !r.pages.empty() &&
         std::all_of(r.pages.begin(), r.pages.end(),
                     [&r](const results::PageRecord &page) { return r.page_of(page).size() == 6; });
}

// A solved puzzle's link that answers 404: the answer was computed with
// another rule, other iterations or another id length than the server's.
void check_puzzle_rule(RunResult &r, const crawl::CrawlSettings &s) {
  const auto answers = puzzle_answers(r);
  std::set<std::string> refused;
  for (const Event &e : r.events)
    if (e.kind == Event::Kind::request && e.status == 404 && answers.count(r.page_of(e)))
      refused.insert(r.page_of(e));
  if (refused.empty()) return;
  const bool original = looks_like_original(r) && s.puzzle.id_length != 6;
  flag(r, "wrong_puzzle_rule",
       std::to_string(refused.size()) + " solved puzzle link" + (refused.size() == 1 ? "" : "s") +
           " answered 404 (e.g. " + *refused.begin() + "): the puzzle settings (" + r.puzzle +
           ") are not the server's; " +
           (original ? "this server looks like profile: original (set server.profile: original)"
                     : "check server.profile, hash_rule, cpu_iterations, core_iterations and "
                       "id_length"));
}

void check_start(RunResult &r) {
  if (r.pages_ok > 0 || r.is_compute()) return;
  for (const Event &e : r.events)
    if (e.kind == Event::Kind::request && e.status == 404 && r.page_of(e) == r.start) {
      flag(r, "start_missing",
           "the start page " + r.start + " does not exist (HTTP 404): check crawl.start");
      return;
    }
}

// An on_page hook chooses which links to follow: fewer pages is its choice.
bool hook_chooses_links(const crawl::CrawlSettings &s) {
  return s.hooks && s.hooks->defines(script::Hook::on_page);
}

// Pages the run found (the start, a link of a page it completed) but neither
// completed nor failed (gave up, or answered what is not a page). The failure
// tail loses pages only behind pages that failed; these the strategy lost, so
// the run did not do the work. Only for a crawl of everything it finds: a page
// limit or an on_page hook choosing links leaves pages behind by design, and an
// aborted run says why it stopped. An outside program's unsolved puzzles are
// their own reason (puzzles_unsolved).
void check_missed(RunResult &r, const crawl::CrawlSettings &s) {
  if (s.max_pages != 0 || hook_chooses_links(s) || !r.error.empty() || r.is_compute()) return;
  // By the run's page indices, a byte a page: the row is made at the run's
  // peak memory. A link the run never named (an outside program's pages are
  // named only when answered) cannot be done.
  enum : char { unseen = 0, found = 1, done = 2 };
  std::vector<char> state(r.names->size(), unseen);
  std::unordered_set<std::string_view> found_unnamed;
  long unfinished = 0;
  std::string example;
  auto find = [&](std::string_view page) {
    if (const auto index = r.names->find(page)) {
      if (state[*index] == unseen) state[*index] = found;
    } else if (found_unnamed.insert(page).second) {
      ++unfinished;
      if (example.empty()) example = page;
    }
  };
  for (const auto &page : r.pages) state[page.page] = done;
  find(r.start);
  for (const auto &page : r.pages) {
    if (!r.program.empty() && is_puzzle_type(r.type_of(page))) continue;
    for (std::string_view link : page.links) find(link);
  }
  for (uint32_t index = 0; index < state.size(); ++index)
    if (state[index] == found) {
      ++unfinished;
      if (example.empty()) example = r.names->name(index);
    }
  const long missed = unfinished - std::max(0L, r.pages_failed);
  if (missed <= 0) return;
  flag(r, "pages_missed: " + std::to_string(missed),
       std::to_string(unfinished) + (unfinished == 1 ? " page" : " pages") +
           " the run knew of (its start, or a link of a page it completed) " +
           (unfinished == 1 ? "was" : "were") + " not completed (e.g. " + example + ") and " +
           std::to_string(r.pages_failed) + " failed: the strategy lost " + std::to_string(missed));
}

void check_coverage(RunResult &r, const crawl::CrawlSettings &s) {
  if (!s.graph || s.max_pages != 0 || r.is_compute()) return;
  r.pages_known = reachable_pages(*s.graph, s.start_id);
  if (r.pages_known <= 0) return;
  r.coverage = static_cast<double>(r.pages_ok) / static_cast<double>(r.pages_known);
  // An aborted run says why it stopped; that it stopped early goes without saying.
  if (r.pages_ok >= r.pages_known || hook_chooses_links(s) || !r.error.empty()) return;
  const std::string counts = std::to_string(r.pages_ok) + "/" + std::to_string(r.pages_known);
  const long lost = r.pages_known - r.pages_ok;
  std::string why = std::to_string(lost) + " of the " + std::to_string(r.pages_known) +
                    " pages reachable from " + s.start_id + " not reached";
  if (r.give_ups > 0)
    why += ": " + std::to_string(r.give_ups) + " page" + (r.give_ups == 1 ? "" : "s") +
           " gave up (" + results::describe_failures(r.page_failures) +
           "), and the pages only they link to were never found";
  flag(r, "incomplete (" + counts + ")", why);
}

// The run's requests against the server's count of them. Exact, but for
// requests the runner stopped waiting for (timeouts, cancelled hedged copies,
// transport errors), which the server may answer after the run ended.
void check_server_counts(RunResult &r) {
  if (r.server_requests < 0) return;
  long sent = 0, unsure = 0, errors = 0;
  for (const auto &e : r.events) {
    if (e.kind != Event::Kind::request || e.status == 404) continue;
    ++sent;
    if (e.status <= 0) ++unsure;
    if (e.status >= 500) ++errors;
  }
  const bool requests_agree = r.server_requests <= sent && r.server_requests >= sent - unsure;
  const bool errors_agree = r.server_errors >= errors && r.server_errors <= errors + unsure;
  if (requests_agree && errors_agree) return;
  flag(r, "server_mismatch",
       "the server answered " + std::to_string(r.server_requests) + " page requests (" +
           std::to_string(r.server_errors) + " 5xx), the runner counted " + std::to_string(sent) +
           " (" + std::to_string(errors) + " 5xx" +
           (unsure ? ", " + std::to_string(unsure) + " left unanswered" : std::string()) +
           "): another client on the server, or a miscount");
}

// The runner's own work (its CPU less the puzzles and kernels it was asked to
// run) kept the cores busy: the figures measure the runner, not the strategy.
// Solving is counted by the solving threads' CPU time (each solve event's),
// not by solve_s, whose spans include waiting for a core.
void check_client_bound(RunResult &r) {
  // An outside program's CPU is the strategy's own: nothing of it is the runner's.
  if (r.wall_s <= 0 || r.cores <= 0 || !r.program.empty()) return;
  double solving = 0;
  for (const Event &e : r.events)
    if (e.kind == Event::Kind::solve) solving += e.cpu_s;
  const double overhead = r.cpu_user_s + r.cpu_sys_s - solving;
  const double busy = overhead / r.wall_s;
  if (busy < 0.9 * r.cores) return;
  char text[160];
  std::snprintf(text, sizeof text,
                "the runner's own CPU (%.2f s beside %.2f s of solving) kept %.1f of %d cores "
                "busy: the figures measure the runner, not the strategy",
                overhead, solving, busy, r.cores);
  flag(r, "client_bound", text);
}

}  // namespace

long reachable_pages(const results::KnownGraph &graph, const std::string &start) {
  if (!graph.links.count(start)) return 0;
  std::unordered_set<std::string> seen{start};
  std::deque<std::string> queue{start};
  while (!queue.empty()) {
    const auto it = graph.links.find(queue.front());
    queue.pop_front();
    if (it == graph.links.end()) continue;
    for (const auto &to : it->second)
      if (seen.insert(to).second) queue.push_back(to);
  }
  return static_cast<long>(seen.size());
}

void judge(RunResult &r, const crawl::CrawlSettings &settings) {
  if (crawl::is_unreachable(r.error)) flag(r, "server_unreachable", r.error);
  check_start(r);
  check_puzzle_rule(r, settings);
  check_coverage(r, settings);
  check_missed(r, settings);
  check_server_counts(r);
  check_client_bound(r);
  // The failing reasons: the run measured no work, or the wrong work.
  for (const auto &f : r.validity)
    if (f.reason == "start_missing" || f.reason == "wrong_puzzle_rule" ||
        f.reason.rfind("pages_missed", 0) == 0) {
      if (r.ok()) r.fail(f.detail);
      break;
    }
}

}  // namespace concur::experiment
