#include "experiment/measure.hpp"

#include <algorithm>
#include <chrono>
#include <memory>

#include "experiment/command_run.hpp"
#include "plugin/host.hpp"
#include "results/fingerprint.hpp"
#include "results/usage.hpp"
#include "server/server.hpp"

namespace concur::experiment {
namespace {

// The settings of this one run: the experiment's, plus what the plan chose.
crawl::CrawlSettings run_settings(const PlannedRun &planned, const crawl::CrawlSettings &given) {
  crawl::CrawlSettings settings = given;
  settings.run_info.strategy = planned.strategy();
  settings.run_info.options = config::describe(planned.options);
  settings.run_info.base_url = settings.base_url;
  settings.run_info.max_pages = settings.max_pages;
  settings.gil = planned.gil.value_or(false);
  if (planned.compute) {
    settings.compute = planned.compute;
    settings.workload = planned.workload;
  }
  return settings;
}

// CPU time of the run's client side: this process and its reaped children,
// without the embedded server's I/O thread.
//
// The total is exact, and never negative. The process's CPU clock adds up the
// ended threads' totals, the calling thread's time to the instant and, for
// every other thread, the kernel's run time as of its last scheduler event —
// the very figure Server::thread_runtime_s() reads for the server's thread.
// The start sample reads the process clock, then the server's; the end sample
// the server's, then the process's. The server's interval thus lies inside the
// process's, and every thread's figure only grows, so the difference is the
// client's CPU time plus whatever the server ran during the two pairs of reads
// (microseconds), and cannot be negative.
//
// The user/sys split is an estimate wherever it is read: the kernel splits a
// thread's or a process's run time by its own tick samples, each on its own,
// so "process sys minus server sys" can come out below zero. The client's
// exact total is therefore split by the ratio of the two rusage differences,
// each taken as at least zero. Reaped children (the processes strategy) are
// added as getrusage counts them: those figures only grow.
struct CpuSample {
  double process_s = 0;  // the process's CPU clock
  double server_s = 0;   // the server thread's run time
  results::CpuTimes process_split;
  server::Server::Usage server_split;
  results::CpuTimes children;
};

CpuSample cpu_at_start(server::Server *embedded) {
  CpuSample s;
  s.process_split = results::process_cpu();
  s.children = results::children_cpu();
  if (embedded != nullptr) s.server_split = embedded->thread_usage();
  s.process_s = results::process_cpu_clock_s();
  if (embedded != nullptr) s.server_s = embedded->thread_runtime_s();
  return s;
}

CpuSample cpu_at_end(server::Server *embedded) {
  CpuSample s;
  if (embedded != nullptr) s.server_s = embedded->thread_runtime_s();
  s.process_s = results::process_cpu_clock_s();
  s.process_split = results::process_cpu();
  s.children = results::children_cpu();
  if (embedded != nullptr) s.server_split = embedded->thread_usage();
  return s;
}

results::CpuTimes spent(const CpuSample &a, const CpuSample &b) {
  // Below zero only where the kernel has no schedstat and the server's figure
  // is its own clock, which runs ahead of the process's by up to a tick.
  const double total = std::max(0.0, (b.process_s - a.process_s) - (b.server_s - a.server_s));
  const double user = std::max(0.0, (b.process_split.user_s - a.process_split.user_s) -
                                        (b.server_split.user_s - a.server_split.user_s));
  const double sys = std::max(0.0, (b.process_split.sys_s - a.process_split.sys_s) -
                                       (b.server_split.sys_s - a.server_split.sys_s));
  const double user_share = user + sys > 0 ? user / (user + sys) : 1.0;
  return {total * user_share + (b.children.user_s - a.children.user_s),
          total * (1 - user_share) + (b.children.sys_s - a.children.sys_s)};
}

// This process's CPU time with its reaped children's, and the machine's busy
// time: their growth over a run differ by what other processes took.
struct MachineSample {
  double load = -1, busy_s = 0, own_s = 0;
};

MachineSample machine_sample() {
  const results::CpuTimes children = results::children_cpu();
  return {results::load_average(), results::machine_busy_s(),
          results::process_cpu_clock_s() + children.user_s + children.sys_s};
}

void add_machine(Measured &m, const MachineSample &a, const MachineSample &b) {
  m.load_start = a.load;
  m.load_end = b.load;
  m.foreign_cpu_s = std::max(0.0, (b.busy_s - a.busy_s) - (b.own_s - a.own_s));
}

// An outside program (the command strategy): measured from outside, judged
// by the embedded server's counts (plan() made sure there is one).
results::RunResult run_command_once(const PlannedRun &planned, const crawl::CrawlSettings &settings,
                                    server::Server *embedded, const RunStamp &stamp,
                                    crawl::TaskObserver *observer) {
  const MachineSample machine0 = machine_sample();
  CommandOutcome outcome = run_command(planned, settings, *embedded, stamp.seed, observer);
  add_machine(outcome.measured, machine0, machine_sample());
  results::RunResult r =
      make_row(planned, settings, std::move(outcome.totals), outcome.measured, stamp);
  judge_command(r, outcome);
  return r;
}

}  // namespace

results::RunResult run_once(const PlannedRun &planned, const crawl::CrawlSettings &given,
                            server::Server *embedded, const RunStamp &stamp, ScriptOutcome *script,
                            crawl::TaskObserver *observer) {
  const crawl::CrawlSettings settings = run_settings(planned, given);
  if (planned.command) return run_command_once(planned, settings, embedded, stamp, observer);
  if (embedded != nullptr) embedded->reset_request_counts();
  http::Client probe(settings.timeout_ms);
  const std::optional<crawl::ServerCounts> before =
      settings.server_metrics ? crawl::fetch_server_counts(probe, settings.base_url) : std::nullopt;
  results::reset_peak_rss();
  const MachineSample machine0 = machine_sample();
  const CpuSample cpu0 = cpu_at_start(embedded);
  const auto start = std::chrono::steady_clock::now();

  auto crawl = std::make_unique<crawl::CrawlRun>(settings);
  crawl->observe(observer);
  plugin::run_plugin(*planned.plugin, *crawl, planned.options);

  Measured measured;
  measured.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  measured.cpu = spent(cpu0, cpu_at_end(embedded));
  add_machine(measured, machine0, machine_sample());
  crawl::RunTotals totals = crawl->take_totals();
  if (const auto after =
          before ? crawl::fetch_server_counts(probe, settings.base_url) : std::nullopt)
    measured.server =
        crawl::ServerCounts{after->requests - before->requests, after->errors - before->errors};
  if (script != nullptr) {
    script->workers = crawl->take_worker_hooks();
    script->traceback = crawl->script_traceback();
  }
  crawl.reset();  // its frontier's visited set is as large as the row's tables: gone first
  results::RunResult row = make_row(planned, settings, std::move(totals), measured, stamp);
  // Read once the row is made: the bound and the validity checks walk every
  // page and event, and a machine must hold them too.
  row.max_rss_mb = results::peak_rss_mb();
  return row;
}

}  // namespace concur::experiment
