// expand_options / parse_option_value / describe: typing against the plugin's
// declared table and the cross product of list-valued options.
#include "config/options.hpp"

#include "config_test_util.hpp"

using namespace concur::config;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

namespace {

const concur_option_spec kDeclared[] = {
    {.name = "workers",
     .type = CONCUR_OPT_INT,
     .default_value = "4",
     .help = "threads",
     .choices = nullptr,
     .min = 1,
     .max = 1024},
    {.name = "executor",
     .type = CONCUR_OPT_STRING,
     .default_value = "inline",
     .help = "where",
     .choices = "inline|threads|processes",
     CONCUR_UNBOUNDED},
    {.name = "pin",
     .type = CONCUR_OPT_BOOL,
     .default_value = "false",
     .help = "pin threads",
     .choices = nullptr,
     CONCUR_UNBOUNDED},
    {.name = "ratio",
     .type = CONCUR_OPT_DOUBLE,
     .default_value = "0.5",
     .help = "a share",
     .choices = nullptr,
     .min = 0,
     .max = 1},
};

// The last strategy of `yaml`, as load_text reads it.
StrategySpec strategy(const std::string &yaml) {
  return load_text(yaml, "x.yaml").strategies.back();
}

ConfigError expand_error(const std::string &yaml,
                         std::span<const concur_option_spec> declared = kDeclared) {
  try {
    expand_options(strategy(yaml), declared);
  } catch (const ConfigError &e) {
    return e;
  }
  FAIL("expected a ConfigError");
  throw;
}

}  // namespace

TEST_CASE("the cross product: first option varies slowest, defaults filled", "[options]") {
  const auto sets = expand_options(strategy(R"(strategies:
  - plugin: threads
    executor: [threads, processes]
    workers: [1, 2, 3]
)"),
                                   kDeclared);
  REQUIRE(sets.size() == 6);
  std::vector<std::string> described;
  for (const auto &set : sets) described.push_back(describe(set));
  CHECK(described == std::vector<std::string>{"workers=1 executor=threads pin=false ratio=0.5",
                                              "workers=1 executor=processes pin=false ratio=0.5",
                                              "workers=2 executor=threads pin=false ratio=0.5",
                                              "workers=2 executor=processes pin=false ratio=0.5",
                                              "workers=3 executor=threads pin=false ratio=0.5",
                                              "workers=3 executor=processes pin=false ratio=0.5"});
  const OptionSet &last = sets.back();
  REQUIRE(last.size() == 4);  // every declared option, in declaration order
  CHECK(last[0].name == "workers");
  CHECK(last[0].value.type == CONCUR_OPT_INT);
  CHECK(last[0].value.i == 3);
  CHECK(last[1].value.s == "processes");
  CHECK(last[2].value.type == CONCUR_OPT_BOOL);
  CHECK_FALSE(last[2].value.b);
  CHECK(last[3].value.d == 0.5);
}

TEST_CASE("no options given: one set of defaults; no options declared: one empty set",
          "[options]") {
  const auto sets = expand_options(strategy("strategies: [{plugin: threads}]\n"), kDeclared);
  REQUIRE(sets.size() == 1);
  CHECK(describe(sets[0]) == "workers=4 executor=inline pin=false ratio=0.5");
  const auto none = expand_options(strategy("strategies: [{plugin: sequential}]\n"), {});
  REQUIRE(none.size() == 1);
  CHECK(none[0].empty());
  CHECK(describe(none[0]).empty());
}

TEST_CASE("values are typed and written canonically", "[options]") {
  const OptionValue at{"", {"x.yaml", 1}};
  auto parse = [&](size_t decl, const std::string &text) {
    return parse_option_value(kDeclared[decl], OptionValue{text, at.where}, "k");
  };
  CHECK(parse(0, "+007").text == "7");
  CHECK(parse(0, "1024").i == 1024);
  CHECK(parse(3, "0.10").text == "0.1");
  CHECK(parse(3, "1e-3").text == "0.001");
  CHECK(parse(3, "1").text == "1");
  CHECK(parse(2, "TRUE").b);
  CHECK(parse(2, "True").text == "true");
  CHECK(parse(2, "false").text == "false");
  CHECK(parse(1, "threads").s == "threads");
  const concur_option_spec any_string{.name = "label",
                                      .type = CONCUR_OPT_STRING,
                                      .default_value = "",
                                      .help = "",
                                      .choices = nullptr,
                                      CONCUR_UNBOUNDED};
  CHECK(parse_option_value(any_string, OptionValue{"any thing", at.where}, "k").text ==
        "any thing");
  const concur_option_spec unbounded{.name = "n",
                                     .type = CONCUR_OPT_INT,
                                     .default_value = "0",
                                     .help = "",
                                     .choices = nullptr,
                                     CONCUR_UNBOUNDED};
  CHECK(parse_option_value(unbounded, OptionValue{"-5000000000", at.where}, "k").i == -5000000000);
}

TEST_CASE("option errors name the value's line and key", "[options][errors]") {
  SECTION("unknown option, with a did-you-mean") {
    auto e = expand_error(
        "strategies:\n  - plugin: sequential\n  - plugin: threads\n"
        "    workrs: 4\n");
    CHECK_THAT(e.what(), Equals("x.yaml:4: strategies[1].workrs: unknown option of plugin "
                                "'threads' (did you mean 'workers'? known: workers, executor, "
                                "pin, ratio)"));
  }
  SECTION("unknown option, nothing close") {
    auto e = expand_error("strategies:\n  - plugin: threads\n    colour: red\n");
    CHECK_THAT(e.what(), Equals("x.yaml:3: strategies[0].colour: unknown option of plugin "
                                "'threads' (known: workers, executor, pin, ratio)"));
    e = expand_error("strategies:\n  - plugin: sequential\n    workers: 2\n", {});
    CHECK_THAT(e.what(), Contains("unknown option of plugin 'sequential' (it has no options)"));
  }
  SECTION("int out of range, at the offending list element") {
    auto e = expand_error("strategies:\n  - plugin: threads\n    workers:\n      - 4\n      - 0\n");
    CHECK_THAT(e.what(), Equals("x.yaml:5: strategies[0].workers: expected an integer between 1 "
                                "and 1024, got '0'"));
    e = expand_error("strategies:\n  - plugin: threads\n    workers: 4.5\n");
    CHECK_THAT(e.what(), Contains("x.yaml:3: strategies[0].workers: expected an integer"));
  }
  SECTION("bad choice") {
    auto e = expand_error("strategies:\n  - plugin: threads\n    executor: [inline, fibers]\n");
    CHECK_THAT(e.what(), Equals("x.yaml:3: strategies[0].executor: expected one of "
                                "inline|threads|processes, got 'fibers'"));
  }
  SECTION("bad bool") {
    auto e = expand_error("strategies:\n  - plugin: threads\n\n    pin: yes\n");
    CHECK_THAT(e.what(), Equals("x.yaml:4: strategies[0].pin: expected true or false, got 'yes'"));
  }
  SECTION("double out of range") {
    auto e = expand_error("strategies:\n  - plugin: threads\n    ratio: 2\n");
    CHECK_THAT(e.what(), Contains("x.yaml:3: strategies[0].ratio: expected a number between 0 "
                                  "and 1, got '2'"));
  }
  SECTION("an option set by --set is blamed on --set") {
    StrategySpec spec =
        load_text("strategies: [{plugin: threads}]\n", "x.yaml", {"strategies[0].workers=0"})
            .strategies.at(0);
    CHECK_THROWS_WITH(expand_options(spec, kDeclared),
                      "--set: strategies[0].workers: expected an integer between 1 and 1024, "
                      "got '0'");
  }
}

TEST_CASE("a bad default is a plugin bug, named by plugin and option", "[options][errors]") {
  const concur_option_spec broken[] = {
      {"workers", CONCUR_OPT_INT, "many", "", nullptr, 1, 8},
  };
  auto e = expand_error("strategies: [{plugin: threads}]\n", broken);
  CHECK_THAT(e.what(), Equals("threads: workers: default 'many' is not an integer between 1 and "
                              "8 (a bug in the plugin's option table)"));
  // A default the user overrides is still never parsed: no error.
  CHECK(expand_options(strategy("strategies: [{plugin: threads, workers: 2}]\n"), broken).size() ==
        1);
}

TEST_CASE("describe joins name=value in declaration order", "[options]") {
  OptionSet set;
  set.push_back(ResolvedOption{"workers", TypedValue{CONCUR_OPT_INT, 4, 0, false, "", "4"}});
  set.push_back(
      ResolvedOption{"executor", TypedValue{CONCUR_OPT_STRING, 0, 0, false, "inline", "inline"}});
  CHECK(describe(set) == "workers=4 executor=inline");
}

TEST_CASE("a URL's password never reaches the options column", "[options]") {
  CHECK(without_password("redis://app:s3cret@10.0.0.1:6379/2") ==
        "redis://app:***@10.0.0.1:6379/2");
  CHECK(without_password("redis://:s3cret@127.0.0.1") == "redis://:***@127.0.0.1");
  CHECK(without_password("redis://app@127.0.0.1:6379") == "redis://app@127.0.0.1:6379");
  CHECK(without_password("redis://127.0.0.1:6379") == "redis://127.0.0.1:6379");
  CHECK(without_password("http://h:1/a@b:c") == "http://h:1/a@b:c");  // '@' past the host
  CHECK(without_password("p:w@rd") == "p:w@rd");                      // not a URL
  OptionSet set;
  set.push_back(ResolvedOption{
      "redis", TypedValue{CONCUR_OPT_STRING, 0, 0, false, "redis://u:pw@h:1", "redis://u:pw@h:1"}});
  CHECK(describe(set) == "redis=redis://u:***@h:1");
}
