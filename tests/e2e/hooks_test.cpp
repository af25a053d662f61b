// Hooks in real runs: every strategy, a real server over loopback. Each hook's
// contract, per-worker isolation, and an error in each hook failing its run.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

#include "experiment/measure.hpp"
#include "experiment/session.hpp"
#include "support/lab.hpp"
#include "support/reference_crawl.hpp"
#include "unit/script/script_files.hpp"

using namespace concur;

namespace {

struct Hooked {
  results::RunResult r;
  bool script_failed = false;
  std::string log;
};

// One run as `concur run` makes it (experiment::Session), against the lab's
// server as a running one (base_url).
Hooked run_hooked(const test::Lab &lab, const experiment::PlannedRun &planned,
                  const std::string &script_path, int max_pages = 0) {
  config::Experiment experiment;
  experiment.name = "hooks";
  experiment.base_url = lab.server.base_url();
  experiment.crawl.max_pages = max_pages;
  experiment.crawl.timeout_ms = 5000;
  experiment.script = script_path;
  std::ostringstream log;
  experiment::Session session(experiment, log);
  session.open(log, const_cast<server::Server *>(&lab.server));
  Hooked h;
  h.r = session.run_single(planned, 1);
  h.script_failed = session.script_failed();
  h.log = log.str();
  return h;
}

std::string column(const results::RunResult &r, const std::string &name) {
  for (const auto &[key, value] : r.extra_columns)
    if (key == name) return value;
  return "(missing)";
}

// Counts what the hooks saw, per worker; done() checks that no worker's state
// saw another's, on_result reports the totals.
const char *kCounting = R"(
seen = {pages = 0, requests = 0, setups = 0}
function setup(run)
  assert(owner == nil, "a worker state was set up twice, or shared")
  owner = run.worker
  seen.setups = seen.setups + 1
end
function on_page(page)
  assert(owner ~= nil, "on_page before setup")
  seen.pages = seen.pages + 1
end
function on_response(r)
  seen.requests = seen.requests + 1
  assert(r.status == 0 or (r.status >= 200 and r.status < 600))
end
function done(summary)
  local owners = {}
  for _, w in ipairs(summary.workers) do
    local owner = w:get("owner")
    assert(owner == w.id, "worker " .. w.id .. " holds owner " .. tostring(owner))
    assert(not owners[owner], "two states claim worker " .. owner)
    owners[owner] = true
    assert(w:get("seen").setups == 1)
  end
  totals = concur.merge(summary.workers, "seen")
  states = #summary.workers
end
function on_result(row)
  return {hook_pages = totals.pages, hook_requests = totals.requests, states = states}
end
)";

}  // namespace

TEST_CASE(
    "every strategy calls on_page per page and on_response per request, each worker in "
    "a state of its own",
    "[e2e][hooks]") {
  test::Lab lab(test::small_lab(31, 80));
  test::ScriptFiles files;
  const auto path = files.write("count.lua", kCounting);
  const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>
      strategies = {{"sequential", {}},
                    {"threads", {{"workers", "4"}}},
                    {"processes", {{"workers", "2"}}},
                    {"producer_consumer", {}},
                    {"async", {{"concurrency", "16"}}},
                    {"fibers", {{"fibers", "8"}}}};
  for (const auto &[name, options] : strategies) {
    SECTION(name) {
      const auto h = run_hooked(lab, test::built_plugin(name, options), path);
      INFO(h.r.error << h.log);
      REQUIRE(h.r.status == results::RunStatus::ok);
      CHECK(column(h.r, "hook_pages") == std::to_string(h.r.pages_ok));
      CHECK(column(h.r, "hook_requests") == std::to_string(h.r.requests));
      CHECK(std::stol(column(h.r, "states")) >= 1);
    }
  }
}

TEST_CASE("a process a hook starts holds none of the crawl's connections", "[e2e][hooks]") {
  test::Lab lab(test::small_lab(31, 80));
  test::ScriptFiles files;
  const auto listing = files.path("fds.txt");
  // At the loop's tenth answer (connections are open and kept) the hook's
  // shell names each TCP socket it was given (its inode in /proc/net/tcp),
  // then lists all its descriptors. (libcurl's multi handle keeps a unix
  // socketpair of its own, not close-on-exec, which no peer waits on.)
  const std::string list =
      R"(for f in /proc/$$/fd/*; do l=$(readlink $f); case $l in socket:*) )"
      R"(i=${l#socket:[}; i=${i%]}; grep -qs " $i " /proc/net/tcp /proc/net/tcp6 && )"
      R"(echo tcp $l;; esac; done > )" +
      listing + "; ls -l /proc/$$/fd >> " + listing;
  const auto path = files.write("popen.lua",
                                "answers = 0\n"
                                "function on_response(r)\n"
                                "  answers = answers + 1\n"
                                "  if answers ~= 10 then return end\n"
                                "  local p = io.popen([[" +
                                    list +
                                    "]])\n"
                                    "  p:close()\n"
                                    "end\n");
  const auto h = run_hooked(lab, test::built_plugin("async", {{"concurrency", "8"}}), path);
  INFO(h.r.error << h.log);
  REQUIRE(h.r.status == results::RunStatus::ok);
  std::ifstream in(listing);
  const std::string fds{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  INFO(fds);
  CHECK_THAT(fds, Catch::Contains(" 0 -> "));  // the listing was made
  CHECK_THAT(fds, !Catch::Contains("tcp socket:"));
}

TEST_CASE("on_page chooses the links to follow", "[e2e][hooks]") {
  test::Lab lab(test::small_lab(32, 80));
  test::ScriptFiles files;
  const auto sequential = test::built_plugin("sequential");
  const auto plain = experiment::run_once(sequential, lab.crawl(0, 50), &lab.server);
  REQUIRE(plain.pages_ok > 10);

  SECTION("none: the crawl stops at the start page") {
    const auto h =
        run_hooked(lab, sequential, files.write("none.lua", "function on_page(p) return {} end"));
    CHECK(h.r.pages_ok == 1);
    CHECK(h.r.bound_basis == "discovered");  // the whole graph no longer bounds it
  }
  SECTION("reordered: the same pages, by determinism") {
    const auto h = run_hooked(lab, sequential, files.write("rev.lua", R"(
function on_page(p)
  local out = {}
  for i = #p.links, 1, -1 do out[#out + 1] = "/api/" .. p.links[i] end
  return out
end)"));
    CHECK(h.r.page_ids() == plain.page_ids());
  }
  SECTION("replaced: the start page leads only where on_page says") {
    const std::string start = lab.graph->page(lab.graph->first()).id;
    std::string extra;
    for (const auto &id : plain.page_ids())
      if (id != start) extra = id;  // the last in id order: any page but the start
    const auto h = run_hooked(
        lab, sequential,
        files.write("add.lua", "function on_page(p)\n  if p.id == '" + start + "' then return {'" +
                                   extra + "'} end\n  return {}\nend\n"));
    CHECK(h.r.page_ids() ==
          std::vector<std::string>{std::min(start, extra), std::max(start, extra)});
  }
}

TEST_CASE("an error in any hook fails the run and names the script line and the hook",
          "[e2e][hooks]") {
  test::Lab lab(test::small_lab(33, 40));
  test::ScriptFiles files;
  const auto threads = test::built_plugin("threads", {{"workers", "2"}});
  for (const char *hook : {"setup", "on_page", "on_response", "done", "on_result"}) {
    SECTION(hook) {
      const std::string arg = std::string(hook) == "done" ? "summary" : "x";
      const auto path = files.write(std::string(hook) + ".lua",
                                    "-- fails on purpose\nfunction " + std::string(hook) + "(" +
                                        arg + ")\n  local t = nil\n  return t.field\nend\n");
      const auto h = run_hooked(lab, threads, path);
      CHECK(h.r.status == results::RunStatus::failed);
      CHECK(h.script_failed);
      CHECK_THAT(h.r.error, Catch::StartsWith(path + ":4: in " + hook + ": attempt to index"));
      CHECK_THAT(h.log, Catch::Contains("stack traceback"));
    }
  }
}
