// Every strategy against a server that answers with garbage, cut-off and
// endless bodies, redirect loops, 10 MB pages and connections that hang
// (support/hostile_server.hpp): each run ends, on time, with its good pages
// crawled and every bad one counted under the reason it failed.
#include <catch2/catch.hpp>

#include <map>

#include "support/cli.hpp"
#include "support/hostile_server.hpp"
#include "support/redis_server.hpp"

using concur::test::Background;
using concur::test::column;
using concur::test::HostileServer;
using concur::test::RedisServer;
using concur::test::Sandbox;
using concur::test::slurp;

namespace {

// What page_failures must say: the hostile pages' reasons, counted and in
// name order.
std::string expected_failures() {
  std::map<std::string, int> counts;
  for (const auto &[page, why] : HostileServer::failing()) ++counts[why];
  std::string out;
  for (const auto &[why, n] : counts)
    out += (out.empty() ? "" : " ") + why + "=" + std::to_string(n);
  return out;
}

}  // namespace

TEST_CASE("every strategy survives a hostile server and counts why pages failed",
          "[e2e][hostile]") {
  HostileServer server;
  RedisServer redis;  // for the distributed strategy's queue
  Sandbox box;
  // Timeouts are not retried: the two slow pages (hang, drip) cost one 8 s
  // timeout each; 8 s is long enough for the 10 MB page and 32 MiB of the
  // endless one to arrive under a sanitizer on a loaded 2-core machine (3 s
  // was not: the endless page timed out before its size limit).
  const std::string crawl =
      "crawl: {start: root, max_pages: 0, timeout_ms: 8000, retries: 1, backoff: none,\n"
      "        retry_on: [5xx, connection]}\n";
  const auto config = box.write(
      "hostile.yaml", "name: hostile\nserver: {base_url: " + server.base_url() + "}\n" + crawl +
                          "strategies:\n"
                          "  - plugin: sequential\n"
                          "  - {plugin: threads, workers: 4}\n"
                          "  - {plugin: processes, workers: 3}\n"
                          "  - {plugin: producer_consumer, producers: 3, consumers: 2}\n"
                          "  - {plugin: async, concurrency: 8}\n"
                          "  - {plugin: fibers, fibers: 8}\n"
                          "  - {plugin: distributed, redis: " +
                          redis.url() +
                          ", local_workers: 2, worker_threads: 2}\n"
                          "warmup: 0\n");
  const std::string csv = box.path("runs.csv").string();
  Background run({"run", "-q", config.string(), "-o", csv}, box.path("run.log").string());
  // Seven runs of 8-16 s each.
  const int exit_code = run.wait(std::chrono::seconds(400));
  INFO(slurp(box.path("run.log")));
  REQUIRE(exit_code == 0);  // pages failed, the runs did not: every row says ok

  const std::string rows = slurp(csv);
  const auto strategies = column(rows, "strategy");
  REQUIRE(strategies.size() == 7);
  const auto status = column(rows, "status"), ok = column(rows, "pages_ok"),
             failed = column(rows, "pages_failed"), why = column(rows, "page_failures");
  for (size_t i = 0; i < strategies.size(); ++i) {
    INFO(strategies[i]);
    CHECK(status[i] == "ok");
    CHECK(ok[i] == std::to_string(HostileServer::fine().size()));
    CHECK(failed[i] == std::to_string(HostileServer::failing().size()));
    CHECK(why[i] == expected_failures());
  }
  // The endless body is cut at the client's 32 MiB (too_large above) and the
  // 10 MB page read whole, seven runs in one process: the runner's peak must
  // not grow with each run (it did, to ~300 MB, before main() fixed glibc's
  // mmap threshold: measured 84 MB since). The sanitizers' allocators are another story.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  CHECK(run.peak_rss_kb() < 160 * 1024);
#endif
}
