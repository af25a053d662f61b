// --set overrides: applied before validation, so they obey the file's rules;
// their errors are reported at "--set" with the override as context.
#include "config_test_util.hpp"

using namespace concur::config;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using Catch::Matchers::Equals;
using Catch::Matchers::StartsWith;
using concur::config::test::kMinimal;
using concur::config::test::load_error;

namespace {

const char *const kBase = R"(crawl:
  max_pages: 10
server:
  delay_scale: 1
strategies:
  - plugin: sequential
  - plugin: threads
    workers: 4
)";

}  // namespace

TEST_CASE("overrides replace values and create missing mappings", "[config][set]") {
  const Experiment e =
      load_text(kBase, "x.yaml",
                {"crawl.max_pages=50", "server.delay_scale=0.05", "strategies[1].workers=[1,2]",
                 "repeat=3", "output.runs=o.csv", "crawl.start = random"});
  CHECK(e.crawl.max_pages == 50);
  CHECK(e.server.delay_scale == 0.05);
  CHECK(e.repeat == 3);
  CHECK(e.output.runs == "o.csv");
  CHECK(e.crawl.start == "random");
  REQUIRE(e.strategies[1].options.size() == 1);
  const OptionEntry &workers = e.strategies[1].options[0];
  REQUIRE(workers.values.size() == 2);
  CHECK(workers.values[0].text == "1");
  CHECK(workers.values[1].text == "2");
  CHECK(workers.values[0].where.file == "--set");
  CHECK(workers.where.file == "x.yaml");  // the key stays where the file has it
}

TEST_CASE("overrides can add sections, options and whole values", "[config][set]") {
  const Experiment e =
      load_text(kMinimal, "x.yaml",
                {"server.shares.regular=0.5", "server.shares.core=0.2", "strategies[0].batch=8",
                 "warmup=1", "warmup=2", "server={seed: 9}"});
  CHECK(e.server.seed == 9);  // a later override of the whole mapping wins
  CHECK(e.server.shares[0] == 0.6);
  CHECK(e.warmup == 2);
  REQUIRE(e.strategies[0].options.size() == 1);
  CHECK(e.strategies[0].options[0].name == "batch");
  CHECK(e.strategies[0].options[0].where.file == "--set");
  // Everything from overrides alone, into an empty document.
  const Experiment only = load_text("", "empty.yaml", {"strategies=[{plugin: threads}]"});
  CHECK(only.strategies.at(0).plugin == "threads");
  CHECK(only.name == "empty");
}

TEST_CASE("errors in an override are reported at --set", "[config][set][errors]") {
  auto e = load_error(kBase, {"crawl.max_pagse=50"});
  CHECK_THAT(e.what(), Equals("--set: crawl.max_pagse: unknown key (did you mean 'max_pages'?) "
                              "(from --set 'crawl.max_pagse=50')"));
  CHECK(e.where().file == "--set");
  CHECK(e.where().line == 0);
  CHECK(e.key() == "crawl.max_pagse");

  // The key is in the file, the bad value came from the command line.
  e = load_error(kBase, {"crawl.max_pages=lots"});
  CHECK_THAT(e.what(), Equals("--set: crawl.max_pages: expected a non-negative integer, got "
                              "'lots' (from --set 'crawl.max_pages=lots')"));
  e = load_error(kBase, {"crawll.max_pages=1"});
  CHECK_THAT(e.what(), StartsWith("--set: crawll: unknown key (did you mean 'crawl'?)"));
  e = load_error(kBase, {"server.base_url=http://h:1"});
  CHECK_THAT(e.what(), StartsWith("x.yaml:4: server.delay_scale: embedded server settings"));
  e = load_error(kBase, {"strategies[1].workers=[]"});
  CHECK_THAT(e.what(), Contains("--set: strategies[1].workers: expected a scalar or a non-empty "
                                "list of scalars, got an empty list"));
  e = load_error(kBase, {"crawl.max_pages={a: 1, a: 2}"});
  CHECK_THAT(e.what(), StartsWith("--set: crawl.max_pages.a: duplicate key"));
}

TEST_CASE("malformed overrides are errors", "[config][set][errors]") {
  auto e = load_error(kBase, {"crawl.max_pages"});
  CHECK_THAT(e.what(), StartsWith("--set: crawl.max_pages: no '='; an override reads KEY=VALUE"));
  e = load_error(kBase, {"=5"});
  CHECK_THAT(e.what(), StartsWith("--set: =5: empty key"));
  for (const char *bad : {"crawl..max_pages=1", ".a=1", "a.=1", "strategies[x].a=1",
                          "strategies[1.a=1", "[0]=1", "a]b=1"}) {
    INFO(bad);
    e = load_error(kBase, {bad});
    CHECK(e.where().file == "--set");
    CHECK_THAT(e.what(), Contains("malformed key"));
  }
  e = load_error(kBase, {"strategies[5].workers=1"});
  CHECK_THAT(e.what(), Equals("--set: strategies[5]: no such list element (strategies is a list "
                              "of 2) (from --set 'strategies[5].workers=1')"));
  e = load_error(kBase, {"crawl[0]=1"});
  CHECK_THAT(e.what(), Contains("--set: crawl[0]: no such list element (crawl is a mapping)"));
  e = load_error(kBase, {"crawl.max_pages.x=1"});
  CHECK_THAT(e.what(), Contains("--set: crawl.max_pages: is '10', not a mapping; cannot set 'x'"));
  e = load_error(kBase, {"repeat=[1"});
  CHECK(e.key() == "repeat");
  CHECK_THAT(e.what(), StartsWith("--set: repeat: invalid YAML value: "));
  CHECK_THAT(e.what(), EndsWith("(from --set 'repeat=[1')"));
}
