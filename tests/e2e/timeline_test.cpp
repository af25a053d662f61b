// Where time went, end to end: `concur run` writes the timeline beside its
// runs CSV, `concur report` draws each configuration's median run from it.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "report/csv_reader.hpp"
#include "support/cli.hpp"

using concur::test::Sandbox;
using concur::test::slurp;

namespace {

// Four configurations, three repeats: an event loop past 64 requests in
// flight among them, a queue between producers and consumers.
const char *kLab = R"(name: timeline
server:
  seed: 11
  pages: 600
  extra_edges: 1500
  delay_scale: 0.002
  cpu_iterations: 2000
  core_iterations: 500
crawl:
  max_pages: 0
strategies:
  - plugin: sequential
  - plugin: threads
    workers: 4
  - plugin: async
    concurrency: 150
  - plugin: producer_consumer
    producers: 4
    consumers: 2
repeat: 3
)";

size_t count(const std::string &text, const std::string &what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("the report draws each configuration's median run from the timeline file",
          "[e2e][timeline]") {
  Sandbox box;
  const auto config = box.write("t.yaml", kLab);
  const auto runs_csv = box.path("runs.csv");
  auto r = box.concur("run -q " + config.string() + " --out " + runs_csv.string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto runs = concur::report::read_csv(runs_csv.string());
  REQUIRE(runs.rows.size() == 12);

  const std::string timeline = slurp(box.path("runs.timeline.csv"));
  CHECK(timeline.size() < 400'000);
  const auto t = concur::report::parse_csv(timeline, "runs.timeline.csv");
  REQUIRE(t.header ==
          std::vector<std::string>{"run", "lane", "worker", "kind", "start_us", "end_us", "count"});
  std::map<std::pair<long, long>, long long> lane_end;  // (run, lane) -> end of its last span
  std::map<long, size_t> lines_of;
  size_t run_lines = 0;
  for (const auto &row : t.rows) {
    const long run = std::stol(row[0]), lane = std::stol(row[1]);
    const long long start = std::stoll(row[4]), end = std::stoll(row[5]);
    ++lines_of[run];
    if (row[3] == "run") {
      ++run_lines;
      // The run line's wall time is the runs CSV's, row `run`.
      const double wall_s =
          std::stod(runs.rows.at(static_cast<size_t>(run - 1))[runs.column("wall_s")]);
      CHECK(std::fabs(static_cast<double>(end) - wall_s * 1e6) <= 1.0);
      continue;
    }
    CHECK((row[3] == "io" || row[3] == "cpu" || row[3] == "queued" || row[3] == "retry"));
    CHECK(start <= end);
    auto [it, fresh] = lane_end.try_emplace({run, lane}, end);
    if (!fresh) {
      INFO("run " << run << " lane " << lane << ": a span at " << start << " before "
                  << it->second);
      CHECK(start >= it->second);  // never overlapping on a lane
      it->second = end;
    }
  }
  CHECK(run_lines == 12);
  for (const auto &[run, lines] : lines_of)
    CHECK(lines <= 4096 + 2);  // kMaxLinesPerRun, the run line, an omitted line

  r = box.concur("report " + runs_csv.string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string html = slurp(box.path("runs.html"));
  CHECK(html.size() < 1'000'000);
  CHECK_THAT(html, Catch::Contains("<h2>Where time went</h2>"));
  CHECK(count(html, "class=\"timeline\"") == 4);  // one per configuration
  for (const char *label :
       {"<h3>sequential</h3>", "<h3>threads workers=4", "<h3>async concurrency=150",
        "<h3>producer_consumer producers=4"})
    CHECK_THAT(html, Catch::Contains(label));
  CHECK(count(html, "median of 3 runs") == 4);
  // Past 64 lanes a chart draws bands of lanes, else a row per lane.
  // (Plain search, not <regex>: GCC 12 under ASan warns inside it.)
  const std::string lanes_attr = "data-lanes=\"", mode_attr = "\" data-mode=\"";
  size_t charts = 0;
  for (size_t at = html.find(lanes_attr); at != std::string::npos;
       at = html.find(lanes_attr, at + 1), ++charts) {
    const size_t mode = html.find(mode_attr, at);
    REQUIRE(mode != std::string::npos);
    const int lanes = std::stoi(html.substr(at + lanes_attr.size()));
    const size_t from = mode + mode_attr.size();
    CHECK((html.substr(from, html.find('"', from) - from) == "bands") == (lanes > 64));
  }
  CHECK(charts == 4);
}
