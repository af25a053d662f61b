#include "analysis/thresholds.hpp"

#include "analysis/analysis.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace concur::analysis;

TEST_CASE("a threshold expression is an operator and a number", "[analysis][thresholds]") {
  CHECK(parse_threshold("efficiency", ">= 0.8").op == Threshold::Op::greater_equal);
  CHECK(parse_threshold("efficiency", ">=0.8").text == "efficiency >= 0.8");
  CHECK(parse_threshold("wall_s", "  <  1e-3 ").value == 1e-3);
  CHECK(parse_threshold("x", "<= 1").op == Threshold::Op::less_equal);
  CHECK(parse_threshold("x", "> 1").op == Threshold::Op::greater);
  CHECK(parse_threshold("x", "!= -2").value == -2);
  CHECK_THROWS_AS(parse_threshold("x", "0.8"), ThresholdError);
  CHECK_THROWS_AS(parse_threshold("x", "=> 1"), ThresholdError);
  CHECK_THROWS_AS(parse_threshold("x", "< "), ThresholdError);
  CHECK_THROWS_AS(parse_threshold("x", "< 1 2"), ThresholdError);
  CHECK_THROWS_AS(parse_threshold("x", "< inf"), ThresholdError);
  CHECK_THROWS_AS(parse_threshold("x", "< 0x10"), ThresholdError);
}

TEST_CASE("each operator holds where it says, at the boundary too", "[analysis][thresholds]") {
  auto at = [](const char *expression, double v) {
    return holds(parse_threshold("x", expression), v);
  };
  CHECK(at("< 1", 0.5));
  CHECK_FALSE(at("< 1", 1));
  CHECK(at("<= 1", 1));
  CHECK_FALSE(at("> 1", 1));
  CHECK(at(">= 1", 1));
  CHECK(at("== 0", 0));
  CHECK_FALSE(at("== 0", 1));
  CHECK(at("!= 0", 1));
}

TEST_CASE("missed thresholds name the figure; an unmeasured one misses", "[analysis][thresholds]") {
  const std::vector<Threshold> ts = {parse_threshold("efficiency", ">= 0.8"),
                                     parse_threshold("pages_failed", "== 0"),
                                     parse_threshold("latency_p99_ms", "< 600")};
  const auto out = missed(ts, {{"efficiency", 0.7123}, {"pages_failed", 0}});
  REQUIRE(out.size() == 2);
  CHECK(out[0] == "efficiency >= 0.8 (0.7123)");
  CHECK(out[1] == "latency_p99_ms < 600 (not measured)");
  CHECK(missed(ts, {{"efficiency", 0.9}, {"pages_failed", 0}, {"latency_p99_ms", 599}}).empty());
  CHECK(thresholds_cell({}, {}) == "");
  CHECK(thresholds_cell(ts, {}) == "met");
  CHECK(thresholds_cell(ts, out) ==
        "missed: efficiency >= 0.8 (0.7123); latency_p99_ms < 600 (not measured)");
}

TEST_CASE("a strategy's threshold replaces the top level's on its column",
          "[analysis][thresholds]") {
  const auto merged = merge_thresholds(
      {parse_threshold("efficiency", ">= 0.8"), parse_threshold("pages_failed", "== 0")},
      {parse_threshold("efficiency", ">= 0.5"), parse_threshold("wall_s", "< 3")});
  REQUIRE(merged.size() == 3);
  CHECK(merged[0].text == "efficiency >= 0.5");
  CHECK(merged[1].text == "pages_failed == 0");
  CHECK(merged[2].text == "wall_s < 3");
}

TEST_CASE("the summary judges a configuration's medians", "[analysis][thresholds]") {
  const std::vector<Threshold> ts = {parse_threshold("efficiency", ">= 0.8")};
  std::vector<RunFigures> runs;
  for (double efficiency : {0.7, 0.9, 0.85}) {
    RunFigures r;
    r.strategy = "threads";
    r.options = "workers=4";
    r.ok = true;
    r.wall_s = 1;
    r.columns = {{"efficiency", efficiency}};
    r.thresholds = ts;
    r.thresholds_cell = thresholds_cell(ts, missed(ts, r.columns));
    runs.push_back(r);
  }
  Analysis a = analyse(runs);
  REQUIRE(a.configs.size() == 1);
  CHECK(a.configs[0].runs_missing_thresholds == 1);
  CHECK(a.configs[0].thresholds == "met");  // median 0.85
  runs[1].columns["efficiency"] = 0.75;     // median 0.75
  a = analyse(runs);
  CHECK(a.configs[0].thresholds == "missed: efficiency >= 0.8 (0.75)");
  for (auto &r : runs) r.thresholds.clear();  // read back from a CSV: not judged again
  CHECK(analyse(runs).configs[0].thresholds.empty());
}
