// The report's timeline: reading the file, drawing a run's lanes (or bands),
// and picking each configuration's median run.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "report/timeline.hpp"
#include "report/timeline_file.hpp"

using namespace concur::report;
using Catch::Matchers::Contains;
using concur::results::SpanKind;
using concur::results::TimelineSpan;

namespace {

size_t count(const std::string &text, const std::string &what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The path data of one kind's bars ("" when it has none): the d="..." of the
// first element of class span-KIND. (Plain search: GCC 12 under ASan warns
// inside <regex>, and -Werror makes that a build failure.)
std::string path_of(const std::string &svg, const std::string &kind) {
  const size_t element = svg.find("class=\"span-" + kind + "\" fill=\"");
  if (element == std::string::npos) return "";
  const size_t d = svg.find("\" d=\"", element);
  if (d == std::string::npos) return "";
  const size_t from = d + 5;
  return svg.substr(from, svg.find('"', from) - from);
}

TimelineRun run_of(int lanes, long long wall_us) {
  TimelineRun run;
  run.lanes = lanes;
  run.wall_us = wall_us;
  return run;
}

}  // namespace

TEST_CASE("the timeline file reads run lines, spans and omitted lanes", "[report][timeline]") {
  const TimelineFile f = parse_timeline(
      "run,lane,worker,kind,start_us,end_us,count\n"
      "1,-1,-1,run,0,500000,2\n"
      "1,0,0,io,0,100,1\n"
      "1,0,0,cpu,100,300,4\n"
      "1,1,-1,queued,50,120,1\n"
      "1,2,-1,omitted,0,500000,7\n"
      "2,-1,-1,run,0,9,0\n",
      "t.timeline.csv");
  REQUIRE(f.runs.size() == 2);
  const TimelineRun &r = f.runs.at(1);
  CHECK(r.wall_us == 500000);
  CHECK(r.lanes == 2);
  REQUIRE(r.spans.size() == 3);
  CHECK(r.spans[1].kind == SpanKind::cpu);
  CHECK(r.spans[1].count == 4);
  CHECK(r.spans[2].worker == -1);
  CHECK(r.first_omitted == 2);
  CHECK(r.omitted_events == 7);
}

TEST_CASE("a bad timeline file is a ReadError naming file and row", "[report][timeline]") {
  const std::string head = "run,lane,worker,kind,start_us,end_us,count\n";
  CHECK_THROWS_WITH(parse_timeline(head + "1,0,0,nap,0,1,1\n", "t.csv"),
                    Contains("t.csv: row 1: kind 'nap'"));
  CHECK_THROWS_WITH(parse_timeline(head + "1,0,0,io,5,4,1\n", "t.csv"),
                    Contains("t.csv: row 1: end_us '4'"));
  CHECK_THROWS_WITH(parse_timeline(head + "1,70000,0,io,0,1,1\n", "t.csv"),
                    Contains("lane '70000' is not a whole number from -1 to 65535"));
  CHECK_THROWS_WITH(parse_timeline(head + "1,0,0,io,0x1,9,1\n", "t.csv"),
                    Contains("start_us '0x1'"));
  CHECK_THROWS_WITH(parse_timeline(head + "1,-1,-1,run,0,9,1\n1,-1,-1,run,0,9,1\n", "t.csv"),
                    Contains("row 2: run 1 has a second run line"));
  CHECK_THROWS_WITH(parse_timeline(head + "1,-1,-1,io,0,9,1\n", "t.csv"),
                    Contains("lane -1 is for run lines only"));
  CHECK_THROWS_WITH(parse_timeline("run,lane\n1,2\n", "t.csv"), Contains("no column 'worker'"));
}

TEST_CASE("up to 64 lanes: a row per lane, labelled by worker", "[report][timeline]") {
  TimelineRun run = run_of(3, 1'000'000);
  run.spans = {{0, SpanKind::io, 0, 500'000, 1, 0},
               {0, SpanKind::io, 100'000, 900'000, 1, 1},
               {1, SpanKind::cpu, 0, 1'000'000, 1, 2}};
  const std::string svg = timeline_chart("a run", run);
  CHECK_THAT(svg, Contains("data-mode=\"lanes\""));
  CHECK(count(svg, "<title>") == 3);  // one tooltip per row
  CHECK_THAT(svg, Contains(">worker 0<"));
  CHECK_THAT(svg, Contains(">+1<"));
  CHECK_THAT(svg, Contains(">worker 1<"));
  CHECK_THAT(svg, Contains("worker 1: busy 100% of the run"));
  CHECK(path_of(svg, "retry").empty());
  // worker 1's lane is one bar over the whole plot: a single rectangle.
  CHECK(count(path_of(svg, "cpu"), "M") == 1);
}

TEST_CASE("a span narrower than a pixel still shows", "[report][timeline]") {
  TimelineRun run = run_of(1, 10'000'000);  // 10 s: a pixel is ~13.6 ms
  run.spans = {{0, SpanKind::cpu, 5'000'000, 5'000'001, 1, 0}};
  const std::string svg = timeline_chart("a run", run);
  CHECK(count(path_of(svg, "cpu"), "M") == 1);
  CHECK_THAT(path_of(svg, "cpu"), Contains("v1h"));  // one pixel high
}

TEST_CASE("past 64 lanes: bands of lanes, and the chart stays small", "[report][timeline]") {
  // 1000 pages, 400 in flight on worker 0 (its requests), two solvers.
  TimelineRun run = run_of(402, 3'000'000);
  std::vector<long long> lane_end(400, 0);
  for (int i = 0; i < 1000; ++i) {
    const int lane = i % 400;
    const long long start = lane_end[lane] + (i * 7919) % 5000,
                    end = start + 50'000 + (i * 104729) % 450'000;
    run.spans.push_back({0, i % 9 ? SpanKind::io : SpanKind::retry, start, end, 1, lane});
    run.spans.push_back(
        {1 + i % 2, SpanKind::cpu, end + 1000, end + 3000, 1, 400 + i % 2});  // may overlap: fine
    lane_end[lane] = end;
  }
  const std::string svg = timeline_chart("a run", run);
  CHECK_THAT(svg, Contains("data-mode=\"bands\""));
  // 400 lanes in groups of 13: "worker 0", "+13–25" ... "+390–399".
  CHECK_THAT(svg, Contains(">worker 0<"));
  CHECK_THAT(svg, Contains("worker 0 +0–12 (13 lanes): busy"));
  CHECK_THAT(svg, Contains(">+13–25<"));
  CHECK_THAT(svg, Contains(">+390–399<"));
  CHECK_THAT(svg, Contains(">workers 1–2<"));  // one lane each: grouped
  CHECK_THAT(svg, Contains("workers 1–2 (2 lanes): busy"));
  CHECK(count(svg, "<title>") <= 48);
  CHECK(svg.size() < 200'000);
  CHECK(!path_of(svg, "retry").empty());
}

namespace {

concur::analysis::RunFigures run_figures(const std::string &strategy, const std::string &options,
                                         bool ok, double wall_s) {
  concur::analysis::RunFigures f;
  f.experiment = "x";
  f.strategy = strategy;
  f.options = options;
  f.ok = ok;
  f.wall_s = wall_s;
  return f;
}

}  // namespace

TEST_CASE("the section draws each configuration's median run", "[report][timeline]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "concur-timeline-section";
  fs::create_directories(dir);
  const std::string runs_csv = (dir / "runs.csv").string();
  // Two configurations; threads' median (of 1.0, 3.0, 2.0 s) is run 4.
  const std::vector<concur::analysis::RunFigures> runs = {
      run_figures("sequential", "", true, 5.0), run_figures("threads", "workers=4", true, 1.0),
      run_figures("threads", "workers=4", true, 3.0),
      run_figures("threads", "workers=4", true, 2.0),
      run_figures("threads", "workers=4", false, 0.1)};
  const auto analysis = concur::analysis::analyse(runs);
  std::ostringstream timeline;
  timeline << "run,lane,worker,kind,start_us,end_us,count\n";
  for (int run = 1; run <= 5; ++run) {
    const auto wall = static_cast<long long>(runs[static_cast<size_t>(run - 1)].wall_s * 1e6);
    timeline << run << ",-1,-1,run,0," << wall << ",1\n" << run << ",0,0,io,0," << wall << ",1\n";
  }
  std::ofstream(dir / "runs.timeline.csv") << timeline.str();
  std::ostringstream html;
  timeline_section(html, runs_csv, runs, analysis);
  CHECK(count(html.str(), "class=\"timeline\"") == 2);
  CHECK_THAT(html.str(), Contains("<h3>sequential</h3>"));
  CHECK_THAT(html.str(), Contains("<h3>threads workers=4</h3>"));
  CHECK_THAT(html.str(), Contains("its run: run 1, 5 s"));
  CHECK_THAT(html.str(), Contains("median of 3 runs: run 4, 2 s"));

  // A timeline from another experiment: its walls disagree, and it is said.
  std::ofstream(dir / "runs.timeline.csv")
      << "run,lane,worker,kind,start_us,end_us,count\n1,-1,-1,run,0,7,1\n1,0,0,io,0,7,1\n";
  std::ostringstream stale;
  timeline_section(stale, runs_csv, runs, analysis);
  CHECK(count(stale.str(), "class=\"timeline\"") == 0);
  CHECK_THAT(stale.str(), Contains("the file is from another experiment"));
  CHECK_THAT(stale.str(), Contains("The timeline has no run 4."));

  fs::remove(dir / "runs.timeline.csv");
  std::ostringstream none;
  timeline_section(none, runs_csv, runs, analysis);
  CHECK_THAT(none.str(), Contains("No timeline beside the runs CSV"));
  fs::remove_all(dir);
}

TEST_CASE("the fuzzer's seeds are timelines that read and draw", "[report][timeline]") {
  // Seeds that fail to parse would leave the drawing unfuzzed.
  for (const auto &entry :
       std::filesystem::directory_iterator(CONCUR_SOURCE_DIR "/tests/fuzz/corpus/timeline")) {
    INFO(entry.path());
    const TimelineFile file = read_timeline(entry.path().string());
    REQUIRE(!file.runs.empty());
    CHECK(!timeline_chart("seed", file.runs.begin()->second).empty());
  }
}

TEST_CASE("in bands, an event loop's own CPU lane is a row of its own", "[report][timeline]") {
  // Worker 0: lane 0 its inline solves (packed first), lanes 1-99 its requests.
  TimelineRun run = run_of(100, 1'000'000);
  run.spans.push_back({0, SpanKind::cpu, 0, 900'000, 50, 0});
  for (int lane = 1; lane < 100; ++lane)
    run.spans.push_back({0, SpanKind::io, 0, 500'000, 1, lane});
  const std::string svg = timeline_chart("a run", run);
  CHECK_THAT(svg, Contains("data-mode=\"bands\""));
  CHECK_THAT(svg, Contains("worker 0 (1 lane): busy 90% of the run"));
  CHECK_THAT(svg, Contains("worker 0 +1–4 (4 lanes): busy 50% of the run"));
}
