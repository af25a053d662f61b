// `thresholds:` in the config: columns, expressions and where errors point.
#include <catch2/catch.hpp>

#include "config_test_util.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using concur::analysis::Threshold;
using namespace concur::config;
using namespace concur::config::test;

TEST_CASE("thresholds at the top level and per strategy read into expressions", "[config]") {
  const Experiment e = load_text(
      "thresholds:\n  efficiency: \">= 0.8\"\n  pages_failed: == 0\n"
      "strategies:\n  - plugin: sequential\n  - plugin: threads\n"
      "    workers: 4\n    thresholds: {efficiency: '> 0.5', latency_p99_ms: '<600'}\n",
      "x.yaml");
  REQUIRE(e.thresholds.size() == 2);
  CHECK(e.thresholds[0].column == "efficiency");
  CHECK(e.thresholds[0].op == Threshold::Op::greater_equal);
  CHECK(e.thresholds[0].value == 0.8);
  CHECK(e.thresholds[0].text == "efficiency >= 0.8");
  CHECK(e.thresholds[1].op == Threshold::Op::equal);
  REQUIRE(e.strategies.size() == 2);
  CHECK(e.strategies[0].thresholds.empty());
  REQUIRE(e.strategies[1].thresholds.size() == 2);
  CHECK(e.strategies[1].thresholds[1].text == "latency_p99_ms < 600");
  // `thresholds` in an entry is not a plugin option.
  CHECK(e.strategies[1].options.size() == 1);
}

TEST_CASE("a bad threshold is a config error at its line", "[config][errors]") {
  SECTION("an unknown column, with a did-you-mean") {
    auto e = load_error(std::string(kMinimal) + "thresholds:\n  efficency: '>= 0.8'\n");
    CHECK(e.where().line == 4);
    CHECK(e.key() == "thresholds.efficency");
    CHECK_THAT(e.what(), Contains("not a numeric column of the runs CSV (did you mean "
                                  "'efficiency'?)"));
  }
  SECTION("a text column") {
    auto e = load_error(std::string(kMinimal) + "thresholds:\n  status: '== 0'\n");
    CHECK(e.key() == "thresholds.status");
  }
  SECTION("no operator") {
    auto e = load_error(std::string(kMinimal) + "thresholds:\n  wall_s: '10'\n");
    CHECK(e.where().line == 4);
    CHECK_THAT(e.what(), Contains("expected OPERATOR NUMBER"));
  }
  SECTION("no number") {
    auto e = load_error(std::string(kMinimal) + "thresholds:\n  wall_s: '< ten'\n");
    CHECK_THAT(e.what(), Equals("x.yaml:4: thresholds.wall_s: expected a number after '<', got "
                                "'ten'"));
  }
  SECTION("in a strategy entry") {
    auto e =
        load_error("strategies:\n  - plugin: threads\n    thresholds:\n      wall_s: '=< 3'\n");
    CHECK(e.where().line == 4);
    CHECK(e.key() == "strategies[0].thresholds.wall_s");
  }
  SECTION("a latency threshold in a compute experiment could never be checked") {
    auto e = load_error(
        "thresholds: {latency_p99_ms: '< 5'}\nstrategies: [{plugin: sequential}]\n"
        "compute:\n  tasks: [{kernel: sum_of_squares, count: 2, args: [10]}]\n");
    CHECK(e.key() == "thresholds.latency_p99_ms");
    CHECK(e.where().line == 1);
    CHECK_THAT(e.what(), Contains("compute experiment makes no requests"));
  }
  SECTION("from --set, blamed on --set") {
    auto e = load_error(kMinimal, {"thresholds.wall_s=<<3"});
    CHECK(e.where().file == "--set");
  }
}
