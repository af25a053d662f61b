#include "experiment/measure.hpp"

#include <chrono>

#include "plugin/host.hpp"
#include "results/usage.hpp"
#include "server/server.hpp"

namespace concur::experiment {
namespace {

// The settings of this one run: the experiment's, plus what the plan chose.
crawl::CrawlSettings run_settings(const PlannedRun &planned, const crawl::CrawlSettings &given) {
  crawl::CrawlSettings settings = given;
  settings.run_info.strategy = planned.plugin->name();
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

// CPU time of this process and its reaped children (the processes strategy),
// without the embedded server's I/O thread: both samples of a pair are taken
// together, the server's right after the process's.
struct CpuSample {
  results::CpuTimes process;
  server::Server::Usage server;
};

CpuSample sample_cpu(server::Server *embedded) {
  CpuSample s;
  s.process = results::process_cpu() + results::children_cpu();
  if (embedded != nullptr) s.server = embedded->thread_usage();
  return s;
}

results::CpuTimes spent(const CpuSample &a, const CpuSample &b) {
  return {(b.process.user_s - a.process.user_s) - (b.server.user_s - a.server.user_s),
          (b.process.sys_s - a.process.sys_s) - (b.server.sys_s - a.server.sys_s)};
}

}  // namespace

results::RunResult run_once(const PlannedRun &planned, const crawl::CrawlSettings &given,
                            server::Server *embedded, const RunStamp &stamp, ScriptOutcome *script,
                            crawl::TaskObserver *observer) {
  const crawl::CrawlSettings settings = run_settings(planned, given);
  if (embedded != nullptr) embedded->reset_request_counts();
  http::Client probe(settings.timeout_ms);
  const std::optional<crawl::ServerCounts> before =
      settings.server_metrics ? crawl::fetch_server_counts(probe, settings.base_url) : std::nullopt;
  results::reset_peak_rss();
  const CpuSample cpu0 = sample_cpu(embedded);
  const auto start = std::chrono::steady_clock::now();

  crawl::CrawlRun crawl(settings);
  crawl.observe(observer);
  plugin::run_plugin(*planned.plugin, crawl, planned.options);

  Measured measured;
  measured.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  measured.cpu = spent(cpu0, sample_cpu(embedded));
  crawl::RunTotals totals = crawl.totals();
  if (const auto after =
          before ? crawl::fetch_server_counts(probe, settings.base_url) : std::nullopt)
    measured.server =
        crawl::ServerCounts{after->requests - before->requests, after->errors - before->errors};
  // Read last, as the run's figures are gathered: its peak includes them.
  measured.max_rss_mb = results::peak_rss_mb();
  if (script != nullptr) {
    script->workers = crawl.take_worker_hooks();
    script->traceback = crawl.script_traceback();
  }
  return make_row(planned, settings, std::move(totals), measured, stamp);
}

}  // namespace concur::experiment
