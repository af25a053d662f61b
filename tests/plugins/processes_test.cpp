// The processes strategy's own promise: a worker process that dies is noticed,
// reaped and replaced, its page is sent again, and the crawl still reaches
// every page.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <vector>

#include "support/lab.hpp"
#include "support/reference_crawl.hpp"

using namespace concur;

namespace {

// The processes forked by this process's threads (Linux /proc children lists).
std::vector<pid_t> child_pids() {
  std::vector<pid_t> pids;
  for (const auto &entry : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream children(entry.path() / "children");
    pid_t pid;
    while (children >> pid) pids.push_back(pid);
  }
  return pids;
}

}  // namespace

TEST_CASE("a killed worker process is replaced and its page re-sent", "[plugins][processes]") {
  auto settings = test::small_lab(4, 200);
  settings.delay_scale = 0.01;  // a crawl of a few seconds: time to kill a child inside it
  test::Lab lab(settings);
  auto expected = test::reference_crawl(*lab.graph, lab.graph->first(), 0, 50);
  auto strategy = test::built_plugin("processes", {{"workers", "2"}});

  auto run = std::async(std::launch::async, [&] {
    return experiment::run_once(strategy, lab.crawl(0, 50), &lab.server);
  });
  std::vector<pid_t> children;
  while ((children = child_pids()).empty() &&
         run.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) {
  }
  REQUIRE_FALSE(children.empty());
  REQUIRE(::kill(children.front(), SIGKILL) == 0);
  auto r = run.get();

  INFO(r.error);
  CHECK(r.status == results::RunStatus::ok);
  CHECK(r.metrics.at("child_crashes") >= 1);
  CHECK(r.page_ids() == expected.ok);  // the killed child's page was crawled after all
  CHECK(child_pids().empty());         // every child reaped: no zombies
  CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);
}

TEST_CASE("children's requests and solves are counted in the parent", "[plugins][processes]") {
  test::Lab lab(test::small_lab(6));
  auto expected = test::reference_crawl(*lab.graph, lab.graph->first(), 0, 50);
  auto r = experiment::run_once(test::built_plugin("processes", {{"workers", "3"}}),
                                lab.crawl(0, 50), &lab.server);
  CHECK(r.status == results::RunStatus::ok);
  CHECK(r.requests == expected.requests);
  CHECK(r.solves > 0);
  CHECK(r.metrics.at("child_crashes") == 0);
  std::set<int> workers;
  for (const auto &e : r.events) workers.insert(e.worker);
  CHECK(workers == std::set<int>{0, 1, 2});  // each child's timeline under its own worker id
  CHECK(r.cpu_user_s + r.cpu_sys_s > 0);     // the children's CPU time is the run's
}
