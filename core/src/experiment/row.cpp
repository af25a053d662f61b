#include "experiment/row.hpp"

#include <algorithm>
#include <optional>
#include <thread>

#include "experiment/validity.hpp"
#include "results/csv.hpp"
#include "results/fingerprint.hpp"
#include "results/lower_bound.hpp"

namespace concur::experiment {
namespace {

std::string describe_puzzle(const crawl::PuzzleParams &p) {
  return std::string(hash::rule_name(p.rule)) + "/" + std::to_string(p.cpu_iterations) + "/" +
         std::to_string(p.core_iterations) + "/" + std::to_string(p.id_length);
}

// The whole graph bounds a run that reached all of it: a page that gave up
// hides its subtree, and an on_page hook chooses which links to follow.
const results::KnownGraph *whole_graph(const crawl::CrawlSettings &s, const crawl::WorkerStats &w) {
  const bool chooses_links = s.hooks && s.hooks->defines(script::Hook::on_page);
  if (!s.graph || s.max_pages != 0 || w.pages_failed != 0 || chooses_links) return nullptr;
  return s.graph.get();
}

void fill_identity(results::RunResult &r, const PlannedRun &planned, const crawl::CrawlSettings &s,
                   const RunStamp &stamp) {
  r.experiment = stamp.experiment;
  r.strategy = planned.strategy();
  r.program = planned.command ? planned.command->run : "";  // filled in once it ran
  r.options = options_of(planned);
  r.repeat = stamp.repeat;
  r.seed = stamp.seed;
  r.gil = planned.gil ? (*planned.gil ? "true" : "false") : "";
  r.base_url = s.base_url;
  r.start = s.start_id;
  r.max_pages = s.max_pages;
  r.retries = s.retries;
  r.timeout_ms = s.timeout_ms;
  r.fetch_policy = s.compute ? "" : crawl::describe(s.policy);
  r.puzzle = s.compute ? "" : describe_puzzle(s.puzzle);
  r.workload = s.compute ? s.workload : "crawl";
  r.script = s.hooks ? s.hooks->path() : "";
  r.cores = results::usable_cores();
  r.nproc = static_cast<int>(std::thread::hardware_concurrency());
  r.machine = results::machine();
}

void fill_counts(results::RunResult &r, const crawl::WorkerStats &w) {
  r.pages_ok = w.pages_ok;
  r.pages_failed = w.pages_failed;
  r.requests = w.requests;
  r.retries_used = w.retries;
  r.hedged_requests = w.hedged;
  r.cancelled_requests = w.cancelled;
  r.give_ups = w.give_ups;
  r.connect_failures = w.connect_failures;
  r.page_failures = w.failures;
  r.solves = w.solves;
  r.solve_s = w.solve_s;
  r.connections = w.connections;
  r.latency_ms = results::summarize(w.latencies_ms);
}

void fill_resources(results::RunResult &r, const Measured &m) {
  r.wall_s = m.wall_s;
  r.cpu_user_s = m.cpu.user_s;
  r.cpu_sys_s = m.cpu.sys_s;
  r.max_rss_mb = m.max_rss_mb;
  r.load_start = m.load_start;
  r.load_end = m.load_end;
  r.foreign_cpu_s = m.foreign_cpu_s;
  if (m.server) {
    r.server_requests = m.server->requests;
    r.server_errors = m.server->errors;
  }
}

void fill_bound(results::RunResult &r, const crawl::CrawlSettings &s, crawl::WorkerStats &w) {
  const results::KnownGraph *graph = whole_graph(s, w);
  // The original's /api/cheat/ gives links only; a whole-graph crawl fetched
  // every page, so the types it saw are the graph's.
  std::optional<results::KnownGraph> typed;
  if (graph != nullptr && graph->types.empty()) {
    typed.emplace(*graph);
    for (const auto &page : r.pages) typed->types.emplace(r.page_of(page), r.type_of(page));
    graph = &*typed;
  }
  const auto bound =
      results::run_bound({s.compute != nullptr, graph, s.start_id, &r.events, r.names.get(),
                          &r.pages, std::thread::hardware_concurrency()});
  r.critical_path_s = bound.bound.critical_path_s;
  r.cpu_bound_s = bound.bound.cpu_bound_s;
  r.bound_basis = bound.basis;
  r.peak_parallel = results::peak_parallel_solves(r.events);
  r.graph = s.graph;
}

}  // namespace

results::RunResult make_row(const PlannedRun &planned, const crawl::CrawlSettings &settings,
                            crawl::RunTotals totals, const Measured &measured,
                            const RunStamp &stamp) {
  results::RunResult r;
  fill_identity(r, planned, settings, stamp);
  fill_counts(r, totals.work);
  fill_resources(r, measured);
  r.metrics = std::move(totals.metrics);
  r.pages = std::move(totals.work.pages);
  r.events = std::move(totals.work.events);
  r.names = std::move(totals.names);
  fill_bound(r, settings, totals.work);
  // By start time once the bound is made (it reads them as workers closed).
  std::sort(r.events.begin(), r.events.end(),
            [](const results::Event &a, const results::Event &b) { return a.start_s < b.start_s; });
  if (!totals.error.empty()) r.fail(totals.error);
  judge(r, settings);
  return r;
}

script::Row row_of(const results::RunResult &r) {
  const auto header = results::csv_header();
  auto fields = results::csv_fields(r);
  script::Row row;
  for (size_t i = 0; i < header.size(); ++i) row.emplace_back(header[i], std::move(fields[i]));
  return row;
}

}  // namespace concur::experiment
