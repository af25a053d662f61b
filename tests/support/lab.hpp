// A small demo server over loopback, and crawl settings for it: the shared
// fixture of the end-to-end and conformance tests.
#pragma once

#include <cstdlib>
#include <memory>
#include <set>
#include <string>

#include "config/options.hpp"
#include "experiment/measure.hpp"
#include "server/server.hpp"

namespace concur::test {

inline server::Settings small_lab(uint64_t seed, int pages = 150) {
  server::Settings s;
  s.seed = seed;
  s.pages = pages;
  s.extra_edges = 2 * pages;
  s.delay_scale = 0.002;  // regular pages 1 ms, delay pages 10 ms
  s.cpu_iterations = 300;
  s.core_iterations = 100;
  return s;
}

struct Lab {
  std::shared_ptr<const server::Graph> graph;
  server::Server server;

  explicit Lab(const server::Settings &s)
      : graph(std::make_shared<const server::Graph>(server::Graph::build(s))), server(graph) {
    server.start();
  }

  crawl::CrawlSettings crawl(int max_pages, int retries, int timeout_ms = 5000) const {
    crawl::CrawlSettings c;
    c.base_url = server.base_url();
    c.start_id = graph->page(graph->first()).id;
    c.max_pages = max_pages;
    c.retries = retries;
    c.timeout_ms = timeout_ms;
    c.server_metrics = true;  // ours has /metrics: runs carry the server's counts
    const auto &s = graph->settings();
    c.puzzle = {s.hash_rule, s.cpu_iterations, s.core_iterations, s.id_length};
    return c;
  }
};

// A built plugin (build/plugins/NAME.so, or a path to any plugin file) with its
// declared defaults, or with `overrides` ({"workers", "8"}, ...).
inline experiment::PlannedRun built_plugin(
    const std::string &name_or_path,
    const std::vector<std::pair<std::string, std::string>> &overrides = {}) {
  const bool path = name_or_path.find('/') != std::string::npos;
  auto plugin = plugin::Plugin::load(
      path ? name_or_path : std::string(CONCUR_BUILD_DIR) + "/plugins/" + name_or_path + ".so");
  config::StrategySpec spec;
  spec.plugin = plugin->name();
  spec.key = "strategies[0]";
  for (const auto &[key, value] : overrides) spec.options.push_back({key, {}, {{value, {}}}});
  return {plugin, config::expand_options(spec, plugin->options()).at(0)};
}

// How a run with lanes batched its puzzles: the pages it solved, and the
// solve_tasks calls the plugin reported (its lanes_batches metric; -1 when
// it reported none).
struct LaneBatches {
  size_t puzzle_pages = 0;
  double batches = -1;
};

inline LaneBatches lane_batches(const results::RunResult &r) {
  std::set<std::string> pages;
  for (const auto &e : r.events)
    if (e.kind == results::Event::Kind::solve) pages.insert(r.page_of(e));
  const auto batches = r.metrics.find("lanes_batches");
  return {pages.size(), batches == r.metrics.end() ? -1 : batches->second};
}

}  // namespace concur::test
