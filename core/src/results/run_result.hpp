// What one run measured: one CSV row, one line of the summary table.
#pragma once

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "results/event.hpp"
#include "results/fingerprint.hpp"
#include "results/lower_bound.hpp"
#include "results/page_names.hpp"
#include "results/page_record.hpp"
#include "results/stats.hpp"

namespace concur::results {

// A run's outcome. `failed` always comes with an error saying why;
// `skipped`: not started (the server was found gone in an earlier run).
enum class RunStatus { ok, failed, skipped };

inline const char *status_name(RunStatus status) {
  if (status == RunStatus::skipped) return "skipped";
  return status == RunStatus::ok ? "ok" : "failed";
}

inline std::ostream &operator<<(std::ostream &out, RunStatus status) {
  return out << status_name(status);
}

struct RunResult {
  // Identity: everything needed to reproduce the run from this row alone.
  std::string experiment;
  std::string strategy;
  std::string options;  // "workers=4 executor=inline"
  int repeat = 0;       // 1-based
  // Its place in the order the experiment ran its runs (1-based; `order:`,
  // experiment/schedule.hpp); 0 when no experiment ordered it (a scenario).
  int position = 0;
  uint64_t seed = 0;
  std::string base_url;
  std::string start;  // the resolved start page id
  int max_pages = 0;
  int retries = 0;
  std::string fetch_policy;  // backoff, what is retried, hedging (crawl/policy.hpp)
  int timeout_ms = 0;
  std::string puzzle;   // "indexed/200000/50000/4": rule/cpu/core iterations/id length
  std::string script;   // the hooks file (`script:`), empty when none
  std::string program;  // the command strategy: the program line it ran; empty for a plugin
  // "crawl", or a compute experiment's tasks: "md5_chain x8 (2000000 iterations)".
  std::string workload = "crawl";
  std::string gil;  // compute: "true" | "false"; crawl: ""
  // Parallelism: the CPUs this process may run on (affinity) and the machine's
  // online CPUs; the most solves that overlapped in time; the configuration
  // this one is compared with (analysis/configurations.hpp: `sequential` of
  // the same workload and settings, else the same strategy at its smallest
  // width, or the experiment's `baseline:`; empty: none) and, when its run of
  // the same repeat ran before this one, the speedup over it and speedup /
  // min(peak_parallel, cores). -1: not known.
  int cores = 0, nproc = 0, peak_parallel = 0;
  // The machine around the run (results/fingerprint.hpp): the 1-minute load
  // average before and after it, and the CPU time other processes (and the
  // hypervisor's steal) took while it ran. -1: not measured.
  double load_start = -1, load_end = -1, foreign_cpu_s = -1;
  Machine machine;  // what measured: CPU model, governor, kernel, concur's build
  std::string baseline;
  double speedup = -1, parallel_efficiency = -1;
  // The experiment's thresholds on this row (analysis/thresholds.hpp): ""
  // when none apply, "met", or "missed: efficiency >= 0.8 (0.7123); ...".
  std::string thresholds;

  // Outcome.
  RunStatus status = RunStatus::ok;
  std::string error;  // why, when failed
  long pages_ok = 0;
  long pages_failed = 0;
  long requests = 0;
  long retries_used = 0;
  long hedged_requests = 0;     // extra copies of attempts (they load the server too)
  long cancelled_requests = 0;  // copies stopped once a twin had won (in requests too)
  long give_ups = 0;            // pages whose every allowed attempt failed
  std::map<std::string, long> page_failures;  // failed pages by why (crawl::Task::failure)
  long solves = 0;                            // md5 chains solved
  double solve_s = 0;                         // summed over solvers
  long connections = 0;                       // TCP connections opened
  // The server's count of the run (crawl/server_counts.hpp): requests it
  // answered for graph pages, and its 5xx; -1 when the server has no /metrics.
  long server_requests = -1, server_errors = -1;
  long connect_failures = 0;  // attempts that never connected: not in `requests`
  // Whether the run did what it was asked (experiment/validity.hpp): a word
  // for the CSV and a sentence for the terminal per reason; none: valid.
  struct Flag {
    std::string reason, detail;
  };
  std::vector<Flag> validity;
  // Pages reached / pages a complete crawl reaches (from the server's whole
  // graph); -1: not known.
  double coverage = -1;
  long pages_known = -1;

  // Resources.
  double wall_s = 0;
  double cpu_user_s = 0;
  double cpu_sys_s = 0;
  double max_rss_mb = 0;
  LatencySummary latency_ms;              // per answer that arrived (any HTTP status)
  std::map<std::string, double> metrics;  // strategy-specific figures
  double critical_path_s = 0;             // results/lower_bound.hpp
  double cpu_bound_s = 0;
  // What the critical path ran over: "graph" (every page, from the server's
  // /api/cheat/) or "discovered" (the pages this run reached).
  std::string bound_basis;

  PageRecords pages;  // the pages completed successfully, by index in `names`
  // The server's whole graph when it told it (`/api/cheat/`): the types of the
  // pages this run did not complete.
  std::shared_ptr<const KnownGraph> graph;
  // The type of `page` (the requests CSV's page_type): as this run saw it, else
  // as the graph says; "" when neither knows.
  std::string_view page_type(std::string_view page) const {
    if (const auto named = names->find(page))
      if (const PageRecord *done = find_page(pages, *named)) return names->type_name(done->type);
    if (graph == nullptr) return {};
    const auto known = graph->types.find(std::string(page));
    return known == graph->types.end() ? std::string_view() : std::string_view(known->second);
  }
  Events events;  // every request and solve, by start time
  // What events name pages by (the run's own table; empty without events).
  std::shared_ptr<const PageNames> names = std::make_shared<const PageNames>();
  const std::string &page_of(const Event &e) const { return names->name(e.page); }
  const std::string &page_of(const PageRecord &p) const { return names->name(p.page); }
  const std::string &type_of(const PageRecord &p) const { return names->type_name(p.type); }
  std::vector<std::string> page_ids() const { return results::page_ids(pages, *names); }  // sorted
  // Columns on_result added (name, value), in name order: after the standard ones.
  std::vector<std::pair<std::string, std::string>> extra_columns;
  bool ok() const { return status == RunStatus::ok; }
  // "ok", or the reasons, ';'-separated: the CSV's validity.
  std::string validity_text() const {
    std::string out;
    for (const auto &f : validity) out += (out.empty() ? "" : ";") + f.reason;
    return out.empty() ? "ok" : out;
  }
  // A compute run: its "pages" are tasks, and it makes no requests (no latency).
  bool is_compute() const { return workload != "crawl"; }
  // Marks the run failed with why. A later step's reason replaces an earlier
  // one (a hook's error, or the CSV refusing a hook's column, is what the
  // user must fix first).
  void fail(const std::string &why) {
    status = RunStatus::failed;
    error = why;
  }
  double pages_per_s() const { return wall_s > 0 ? pages_ok / wall_s : 0; }
  double lower_bound_s() const {
    return critical_path_s > cpu_bound_s ? critical_path_s : cpu_bound_s;
  }
  // bound / wall, at most 1: how close the strategy came to the best possible.
  double efficiency() const { return wall_s > 0 ? lower_bound_s() / wall_s : 0; }
};

// A crawl setting (start, max_pages, retry_limit, timeout_ms) as a CSV cell:
// blank in a compute run's row, where it did nothing.
inline std::string crawl_only(const RunResult &r, std::string value) {
  return r.is_compute() ? std::string() : value;
}

// "bad_page=2 timeout=1": failed pages by why, in name order (the CSV's
// page_failures, the summary's line under a run with failed pages).
inline std::string describe_failures(const std::map<std::string, long> &failures) {
  std::string out;
  for (const auto &[kind, count] : failures) {
    if (!out.empty()) out += ' ';
    out += kind + "=" + std::to_string(count);
  }
  return out;
}

}  // namespace concur::results
