// load_text/load_file: values, defaults, and every class of error, with the
// exact file, line and key each error must name.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "config/text.hpp"
#include "config_test_util.hpp"

using namespace concur::config;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using Catch::Matchers::StartsWith;
using concur::config::test::kMinimal;
using concur::config::test::load_error;

namespace {

const char *const kFull = R"(name: quickstart
server:
  seed: 7
  pages: 500
  id_length: 5
  extra_edges: 100
  delay_scale: 0.1
  failure_rate: 0.5
  cpu_iterations: 2000
  core_iterations: 500
  hash_rule: plain
  link_format: url
  max_connections: 64
  port: 8080
  host: 0.0.0.0
  shares: {regular: 0.5, delay: 0.2}
  delays_ms: {delay: 1000, cpu: 0}
crawl:
  start: 0a1f2
  max_pages: 300
  timeout_ms: 2000
  retries: 3
strategies:
  - plugin: sequential
  - plugin: threads
    workers: [4, 16]
    executor: inline
repeat: 3
warmup: 1
output:
  runs: out/q.csv
)";

}  // namespace

TEST_CASE("a full config reads into the right values", "[config]") {
  const Experiment e = load_text(kFull, "dir/full.yaml");
  CHECK(e.name == "quickstart");
  CHECK(e.file == "dir/full.yaml");
  CHECK_FALSE(e.base_url.has_value());
  CHECK(e.server.seed == 7);
  CHECK(e.server.pages == 500);
  CHECK(e.server.id_length == 5);
  CHECK(e.server.extra_edges == 100);
  CHECK(e.server.delay_scale == 0.1);
  CHECK(e.server.failure_rate == 0.5);
  CHECK(e.server.cpu_iterations == 2000);
  CHECK(e.server.core_iterations == 500);
  CHECK(e.server.hash_rule == concur::hash::Rule::plain);
  CHECK(e.server.link_format == concur::server::LinkFormat::url);
  CHECK(e.server.max_connections == 64);
  CHECK(e.server.port == 8080);
  CHECK(e.server.host == "0.0.0.0");
  CHECK(e.server.shares == std::array<double, 5>{0.5, 0.2, 0.1, 0.1, 0.1});
  CHECK(e.server.delays_ms == std::array<double, 5>{500, 1000, 500, 0, 100});
  CHECK(e.server_keys.size() == 15);
  CHECK(e.server_keys.front() == "seed");
  CHECK(e.crawl.start == "0a1f2");
  CHECK(e.crawl.max_pages == 300);
  CHECK(e.crawl.timeout_ms == 2000);
  CHECK(e.crawl.retries == 3);
  REQUIRE(e.strategies.size() == 2);
  CHECK(e.strategies[0].plugin == "sequential");
  CHECK(e.strategies[0].key == "strategies[0]");
  CHECK(e.strategies[0].where.line == 24);
  CHECK(e.strategies[0].options.empty());
  const StrategySpec &threads = e.strategies[1];
  CHECK(threads.plugin == "threads");
  CHECK(threads.key == "strategies[1]");
  CHECK(threads.where.file == "dir/full.yaml");
  CHECK(threads.where.line == 25);
  REQUIRE(threads.options.size() == 2);
  CHECK(threads.options[0].name == "workers");
  CHECK(threads.options[0].where.line == 26);
  REQUIRE(threads.options[0].values.size() == 2);
  CHECK(threads.options[0].values[0].text == "4");
  CHECK(threads.options[0].values[1].text == "16");
  CHECK(threads.options[0].values[1].where.line == 26);
  CHECK(threads.options[1].name == "executor");
  REQUIRE(threads.options[1].values.size() == 1);
  CHECK(threads.options[1].values[0].text == "inline");
  CHECK(e.repeat == 3);
  CHECK(e.warmup == 1);
  CHECK(e.output.runs == "out/q.csv");
}

TEST_CASE("defaults fill everything not given", "[config]") {
  const Experiment e = load_text(kMinimal, "configs/quickstart.yaml");
  const concur::server::Settings defaults;
  CHECK(e.name == "quickstart");  // the file's stem
  CHECK(e.output.runs == "results/quickstart.csv");
  CHECK_FALSE(e.base_url.has_value());
  CHECK(e.server_keys.empty());
  CHECK(e.server.seed == defaults.seed);
  CHECK(e.server.pages == defaults.pages);
  CHECK(e.server.cpu_iterations == defaults.cpu_iterations);
  CHECK(e.server.shares == defaults.shares);
  CHECK(e.server.host == "127.0.0.1");
  CHECK(e.crawl.start == "root");
  CHECK(e.crawl.max_pages == 0);
  CHECK(e.crawl.timeout_ms == 10000);
  CHECK(e.crawl.retries == concur::config::kAutoRetries);
  CHECK(e.repeat == 1);
  CHECK(e.warmup == 0);
  // A given name names the output too; empty sections are allowed.
  const Experiment named = load_text(std::string("name: demo\nserver:\ncrawl: {}\n") + kMinimal,
                                     "configs/quickstart.yaml");
  CHECK(named.name == "demo");
  CHECK(named.output.runs == "results/demo.csv");
}

TEST_CASE("crawl.retries is auto or an integer >= 0", "[config]") {
  CHECK(load_text(std::string(kMinimal) + "crawl: {retries: auto}\n", "x.yaml").crawl.retries ==
        concur::config::kAutoRetries);
  CHECK(load_text(std::string(kMinimal) + "crawl: {retries: 7}\n", "x.yaml").crawl.retries == 7);
  CHECK_THAT(load_error(std::string(kMinimal) + "crawl: {retries: -1}\n").what(),
             Catch::Contains("crawl.retries"));
  CHECK_THAT(load_error(std::string(kMinimal) + "crawl: {retries: many}\n").what(),
             Catch::Contains("crawl.retries"));
}

TEST_CASE("the server's idle timeout is a non-negative number", "[config]") {
  const Experiment e =
      load_text(std::string("server: {idle_timeout_s: 2.5}\n") + kMinimal, "x.yaml");
  CHECK(e.server.idle_timeout_s == 2.5);
  CHECK_THROWS_WITH(load_text(std::string("server: {idle_timeout_s: -1}\n") + kMinimal, "x.yaml"),
                    Contains("x.yaml:1: server.idle_timeout_s:"));
}

TEST_CASE("ConfigError::what is FILE:LINE: KEY: MESSAGE on one line", "[config]") {
  CHECK_THAT(ConfigError({"a.yaml", 3}, "crawl.retries", "bad").what(),
             Equals("a.yaml:3: crawl.retries: bad"));
  CHECK_THAT(ConfigError({"a.yaml", 0}, "crawl", "bad").what(), Equals("a.yaml: crawl: bad"));
  CHECK_THAT(ConfigError({"a.yaml", 0}, "", "bad").what(), Equals("a.yaml: bad"));
  CHECK_THAT(ConfigError({"a.yaml", 2}, "k", "two\nlines").what(),
             Equals("a.yaml:2: k: two lines"));
}

TEST_CASE("unknown keys are errors with a did-you-mean", "[config][errors]") {
  SECTION("nested, close to a known key") {
    auto e = load_error(std::string(kMinimal) + "crawl:\n  start: root\n  max_pagse: 5\n");
    CHECK_THAT(e.what(),
               Equals("x.yaml:5: crawl.max_pagse: unknown key (did you mean 'max_pages'?)"));
    CHECK(e.where().line == 5);
    CHECK(e.key() == "crawl.max_pagse");
  }
  SECTION("top level") {
    auto e = load_error(std::string(kMinimal) + "repaet: 2\n");
    CHECK_THAT(e.what(), Equals("x.yaml:3: repaet: unknown key (did you mean 'repeat'?)"));
  }
  SECTION("nothing close: no suggestion") {
    auto e = load_error(std::string(kMinimal) + "server:\n  colour: blue\n");
    CHECK_THAT(e.what(), Equals("x.yaml:4: server.colour: unknown key"));
  }
  SECTION("inside shares") {
    auto e = load_error(std::string(kMinimal) + "server:\n  shares:\n    regualr: 0.6\n");
    CHECK_THAT(e.what(),
               Equals("x.yaml:5: server.shares.regualr: unknown key (did you mean 'regular'?)"));
  }
  SECTION("in output") {
    auto e = load_error(std::string(kMinimal) + "output: {runs: a.csv, summry: b.csv}\n");
    CHECK(e.key() == "output.summry");
    CHECK(e.where().line == 3);
  }
}

TEST_CASE("wrong types name the key and the expected type", "[config][errors]") {
  auto e = load_error(std::string(kMinimal) + "crawl:\n  max_pages: lots\n");
  CHECK_THAT(e.what(),
             Equals("x.yaml:4: crawl.max_pages: expected a non-negative integer, got 'lots'"));
  e = load_error(std::string(kMinimal) + "server:\n  delay_scale: fast\n");
  CHECK_THAT(e.what(), Contains("server.delay_scale: expected a non-negative number, got 'fast'"));
  e = load_error(std::string(kMinimal) + "crawl:\n  timeout_ms:\n    a: 1\n");
  CHECK_THAT(e.what(),
             Equals("x.yaml:4: crawl.timeout_ms: expected a positive integer, got a mapping"));
  e = load_error(std::string(kMinimal) + "crawl: fast\n");
  CHECK_THAT(e.what(), Equals("x.yaml:3: crawl: expected a mapping, got 'fast'"));
  e = load_error(std::string(kMinimal) + "server: [1, 2]\n");
  CHECK_THAT(e.what(), Contains("server: expected a mapping, got a list"));
  e = load_error(std::string(kMinimal) + "name: [a]\n");
  CHECK_THAT(e.what(), Contains("x.yaml:3: name: expected a non-empty string, got a list"));
  e = load_error(std::string(kMinimal) + "repeat:\n");
  CHECK_THAT(e.what(), Equals("x.yaml:3: repeat: expected a positive integer, got nothing"));
  e = load_error(std::string(kMinimal) + "server:\n  seed: -1\n");
  CHECK_THAT(e.what(),
             Contains("x.yaml:4: server.seed: expected a non-negative integer, got '-1'"));
  e = load_error(std::string(kMinimal) + "server:\n  hash_rule: md5\n");
  CHECK_THAT(e.what(), Contains("server.hash_rule: expected one of indexed|plain, got 'md5'"));
  e = load_error(std::string(kMinimal) + "server:\n  link_format: html\n");
  CHECK_THAT(e.what(), Contains("server.link_format: expected one of path|id|url, got 'html'"));
  e = load_error(std::string(kMinimal) + "crawl:\n  start: ZZ\n");
  CHECK_THAT(e.what(), Contains("crawl.start: expected root, random or a page id"));
  e = load_error("- a\n- b\n");
  CHECK_THAT(e.what(), Contains("expected a mapping of settings, got a list"));
}

TEST_CASE("number and integer grammar", "[config]") {
  auto read = [](const std::string &lines) {
    return load_text(std::string(kMinimal) + lines, "x.yaml");
  };
  CHECK(read("server: {delay_scale: .5}\n").server.delay_scale == 0.5);
  CHECK(read("server: {delay_scale: 1e-3}\n").server.delay_scale == 0.001);
  CHECK(read("repeat: '3'\n").repeat == 3);  // quoted scalars read like plain ones
  CHECK(read("repeat: +2\n").repeat == 2);
  CHECK(read("server: {seed: 18446744073709551615}\n").server.seed == UINT64_MAX);
  CHECK_THROWS_WITH(read("server: {delay_scale: inf}\n"),
                    Contains("expected a non-negative number, got 'inf'"));
  CHECK_THROWS_WITH(read("repeat: 0x10\n"), Contains("expected a positive integer, got '0x10'"));
  CHECK_THROWS_WITH(read("server: {seed: 18446744073709551616}\n"), Contains("server.seed"));
  CHECK(load_text(kMinimal, "").name == "experiment");  // no stem to default to
}

TEST_CASE("out-of-range values are errors", "[config][errors]") {
  auto e = load_error(std::string(kMinimal) + "server:\n  id_length: 17\n");
  CHECK_THAT(e.what(),
             Equals("x.yaml:4: server.id_length: expected an integer between 1 and 16, got '17'"));
  e = load_error(std::string(kMinimal) + "server:\n  failure_rate: 1.5\n");
  CHECK_THAT(e.what(),
             Contains("server.failure_rate: expected a number between 0 and 1, got '1.5'"));
  e = load_error(std::string(kMinimal) + "server:\n  port: 70000\n");
  CHECK_THAT(e.what(), Contains("server.port: expected an integer between 0 and 65535"));
  e = load_error(std::string(kMinimal) + "server:\n  pages: 0\n");
  CHECK_THAT(e.what(), Contains("server.pages: expected a positive integer, got '0'"));
  e = load_error(std::string(kMinimal) + "server:\n  pages: 99999999999\n");
  CHECK(e.key() == "server.pages");  // beyond what the key holds: the range is said
  CHECK_THAT(e.what(), Contains("expected an integer between 1 and 2147483647, got '99999999999'"));
  e = load_error(std::string(kMinimal) + "repeat: 123456789012345678901234567890\n");
  CHECK_THAT(e.what(), Contains("repeat: expected an integer between 1 and 2147483647"));
  e = load_error(std::string(kMinimal) + "server:\n  cpu_iterations: 0\n");
  CHECK(e.key() == "server.cpu_iterations");
  e = load_error(std::string(kMinimal) + "server:\n  delays_ms: {delay: -5}\n");
  CHECK_THAT(e.what(),
             Contains("x.yaml:4: server.delays_ms.delay: expected a non-negative number"));
  e = load_error(std::string(kMinimal) + "repeat: 0\n");
  CHECK_THAT(e.what(), Equals("x.yaml:3: repeat: expected a positive integer, got '0'"));
  e = load_error(std::string(kMinimal) + "warmup: -1\n");
  CHECK(e.key() == "warmup");
}

TEST_CASE("messages show a binary file's bytes escaped, never raw", "[config][errors]") {
  // An escape sequence in a value or a key would otherwise reach the terminal.
  auto e = load_error(std::string(kMinimal) + "server:\n  pages: \"x\\x07\\e[31my\"\n");
  CHECK_THAT(e.what(), Contains("got 'x\\x07\\x1b[31my'"));
  e = load_error(std::string(kMinimal) + "server:\n  pa\x1b[31mges: 3\n");
  CHECK_THAT(e.what(), Contains("server.pa\\x1b[31mges: unknown key"));
  e = load_error(std::string(kMinimal) + "repeat: caf\xc3\xa9\xff\n");
  CHECK_THAT(e.what(), Contains("got 'caf\xc3\xa9\\xff'"));  // UTF-8 kept, a stray byte not
  for (int c = 0; c < 0x20; ++c) {
    const std::string shown = detail::printable(std::string(1, static_cast<char>(c)));
    CHECK(std::none_of(shown.begin(), shown.end(), [](char b) { return b >= 0 && b < 0x20; }));
  }
}

TEST_CASE("cross-key checks of the server section", "[config][errors]") {
  SECTION("shares must sum to 1 after merging with the defaults") {
    auto e = load_error(std::string(kMinimal) + "server:\n  shares: {regular: 0.7}\n");
    CHECK_THAT(e.what(), StartsWith("x.yaml:4: server.shares: must sum to 1 after merging"));
    CHECK_THAT(e.what(), Contains("got 1.1 (regular=0.7 delay=0.1 failure=0.1 cpu=0.1 core=0.1)"));
    CHECK(load_text(std::string(kMinimal) + "server:\n  shares: {regular: 0.5, core: 0.2}\n",
                    "x.yaml")
              .server.shares[4] == 0.2);
  }
  SECTION("too few ids for the pages") {
    auto e = load_error(std::string(kMinimal) + "server:\n  id_length: 2\n  pages: 100\n");
    CHECK(e.key() == "server.pages");
    CHECK(e.where().line == 5);
    CHECK_THAT(e.what(), Contains("256 page ids are too few for 100 pages"));
  }
  SECTION("a start page id must have id_length digits") {
    auto e = load_error(std::string(kMinimal) + "crawl:\n  start: abc\n");
    CHECK_THAT(e.what(), Equals("x.yaml:4: crawl.start: a page id has server.id_length = 4 hex "
                                "digits, got 'abc'"));
  }
}

TEST_CASE("base_url excludes embedded server settings", "[config][errors]") {
  SECTION("an embedded setting beside base_url") {
    auto e = load_error(std::string(kMinimal) +
                        "server:\n  base_url: http://127.0.0.1:5000\n  id_length: 6\n  seed: 3\n");
    CHECK_THAT(e.what(), StartsWith("x.yaml:6: server.seed: embedded server settings cannot be "
                                    "combined with base_url"));
    CHECK(e.key() == "server.seed");
  }
  SECTION("whatever the order") {
    auto e = load_error(std::string(kMinimal) + "server:\n  port: 80\n  base_url: http://h\n");
    CHECK(e.key() == "server.port");
    CHECK(e.where().line == 4);
  }
  SECTION("the four puzzle keys are allowed") {
    const Experiment e = load_text(std::string(kMinimal) +
                                       "server:\n  base_url: http://127.0.0.1:5000/\n"
                                       "  id_length: 6\n  hash_rule: plain\n"
                                       "  cpu_iterations: 5000000\n  core_iterations: 1250000\n"
                                       "crawl: {start: 00ab12}\n",
                                   "x.yaml");
    REQUIRE(e.base_url.has_value());
    CHECK(*e.base_url == "http://127.0.0.1:5000");  // trailing slash dropped
    CHECK(e.server.id_length == 6);
    CHECK(e.server.hash_rule == concur::hash::Rule::plain);
    CHECK(e.server.cpu_iterations == 5000000);
    CHECK(e.server.core_iterations == 1250000);
    CHECK(e.server_keys == std::vector<std::string>{"base_url", "id_length", "hash_rule",
                                                    "cpu_iterations", "core_iterations"});
  }
  SECTION("a start id of any length when the server announces id_length") {
    const Experiment e = load_text(
        std::string(kMinimal) + "server: {base_url: 'https://x.org'}\ncrawl: {start: abc}\n", "x");
    CHECK(e.crawl.start == "abc");
  }
  SECTION("base_url must be a URL") {
    auto e = load_error(std::string(kMinimal) + "server:\n  base_url: 127.0.0.1:5000\n");
    CHECK_THAT(e.what(),
               Contains("x.yaml:4: server.base_url: expected an http:// or https:// URL"));
  }
}

TEST_CASE("strategies are required and well formed", "[config][errors]") {
  auto e = load_error("name: x\n");
  CHECK_THAT(e.what(), StartsWith("x.yaml: strategies: required key is missing"));
  CHECK(e.where().line == 0);
  e = load_error("");
  CHECK(e.key() == "strategies");
  e = load_error("strategies: []\n");
  CHECK_THAT(
      e.what(),
      Equals("x.yaml:1: strategies: expected a non-empty list of strategies, got an empty list"));
  e = load_error("strategies:\n");
  CHECK_THAT(
      e.what(),
      Contains("x.yaml:1: strategies: expected a non-empty list of strategies, got nothing"));
  e = load_error("strategies:\n  - plugin: sequential\n  - workers: 4\n");
  CHECK_THAT(e.what(), StartsWith("x.yaml:3: strategies[1].plugin: required key is missing"));
  e = load_error("strategies:\n  - plugin: ''\n");
  CHECK_THAT(e.what(), Contains("x.yaml:2: strategies[0].plugin: expected a non-empty string"));
  e = load_error("strategies:\n  - sequential\n");
  CHECK_THAT(e.what(), Contains("x.yaml:2: strategies[0]: expected a mapping with a 'plugin' key, "
                                "got 'sequential'"));
}

TEST_CASE("plugin options are a scalar or a non-empty list of scalars", "[config][errors]") {
  auto e = load_error("strategies:\n  - plugin: threads\n    workers: []\n");
  CHECK_THAT(e.what(), Equals("x.yaml:3: strategies[0].workers: expected a scalar or a non-empty "
                              "list of scalars, got an empty list"));
  e = load_error("strategies:\n  - plugin: threads\n    workers: {a: 1}\n");
  CHECK_THAT(e.what(), Contains("strategies[0].workers: expected a scalar or a non-empty list of "
                                "scalars, got a mapping"));
  e = load_error("strategies:\n  - plugin: threads\n    workers:\n      - 1\n      - [2]\n");
  CHECK_THAT(e.what(), StartsWith("x.yaml:5: strategies[0].workers[1]: expected a scalar"));
  e = load_error("strategies:\n  - plugin: threads\n    workers:\n");
  CHECK(e.where().line == 3);
}

TEST_CASE("YAML syntax errors keep yaml-cpp's line, 1-based", "[config][errors]") {
  auto e = load_error("strategies:\n  - plugin: [threads\nrepeat: 2\n");
  CHECK(e.where().line == 3);
  CHECK(e.key() == "(syntax)");
  CHECK_THAT(e.what(), StartsWith("x.yaml:3: (syntax): "));
  CHECK_THAT(e.what(), !Contains("yaml-cpp"));
  e = load_error("crawl:\n  max_pages: 1\n timeout_ms: 2\n");
  CHECK_THAT(e.what(), Equals("x.yaml:3: (syntax): end of map not found"));
  e = load_error("a: 1\n---\nb: 2\n");
  CHECK_THAT(e.what(), Contains("expected one YAML document, got a second"));
}

TEST_CASE("streams that made yaml-cpp 0.7 loop for ever are errors at once", "[config][errors]") {
  // Found by tests/fuzz/fuzz_config.cpp (yaml-cpp#1040): LoadAll never returned.
  for (const char *text : {",", ", a\n", "# c\n, (x\n", "...\n,"}) {
    INFO(text);
    auto e = load_error(text);
    CHECK(e.key() == "(syntax)");
    CHECK_THAT(e.what(), Contains("not valid YAML near ',") ||
                             Contains("expected one YAML document, got a second"));
  }
  CHECK_THAT(load_error("a: 1\n---\n,").what(),
             Contains("x.yaml:2: (syntax): expected one YAML document, got a second"));
}

TEST_CASE("duplicate keys are errors", "[config][errors]") {
  auto e =
      load_error(std::string(kMinimal) + "crawl:\n  max_pages: 1\n  retries: 2\n  max_pages: 3\n");
  CHECK_THAT(e.what(), Equals("x.yaml:6: crawl.max_pages: duplicate key (first given at line 4)"));
  e = load_error(std::string(kMinimal) + "repeat: 1\nrepeat: 2\n");
  CHECK(e.key() == "repeat");
  CHECK(e.where().line == 4);
  e = load_error("strategies:\n  - {plugin: threads, workers: 1, workers: 2}\n");
  CHECK(e.key() == "strategies[0].workers");
}

TEST_CASE("load_file reads a file, and names it in errors", "[config]") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("concur_config_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "from-disk.yaml").string();
  {
    std::ofstream out(path);
    out << "strategies:\n  - plugin: threads\n    workers: 4\ncrawl: {max_pages: 9}\n";
  }
  const Experiment e = load_file(path, {"repeat=2"});
  CHECK(e.name == "from-disk");
  CHECK(e.file == path);
  CHECK(e.crawl.max_pages == 9);
  CHECK(e.repeat == 2);
  CHECK(e.strategies[0].where.file == path);
  {
    std::ofstream out(path);
    out << "strategies:\n  - plugin: threads\ncrawl: {max_pages: x}\n";
  }
  CHECK_THROWS_WITH(load_file(path),
                    path + ":3: crawl.max_pages: expected a non-negative integer, got 'x'");
  std::filesystem::remove_all(dir);

  const std::string missing = (dir / "missing.yaml").string();
  try {
    load_file(missing);
    FAIL("no error");
  } catch (const ConfigError &error) {
    CHECK_THAT(error.what(), Equals(missing + ": cannot read file: No such file or directory"));
    CHECK(error.where().file == missing);
    CHECK(error.where().line == 0);
  }
  CHECK_THROWS_WITH(load_file("/"), "/: cannot read file: Is a directory");
}

TEST_CASE("the crawl's fetch policy: backoff, retry_on, hedging", "[config][policy]") {
  using concur::crawl::BackoffKind;
  const Experiment e = load_text(std::string(kMinimal) + R"(crawl:
  backoff: {kind: exponential, base_ms: 20, cap_ms: 800, jitter: false, seed: 5}
  retry_on: [5xx, timeout, 429]
  hedge: 3
  hedge_after_ms: 250
)",
                                 "x.yaml");
  const auto &p = e.crawl.policy;
  CHECK(p.backoff.kind == BackoffKind::exponential);
  CHECK(p.backoff.base_ms == 20);
  CHECK(p.backoff.cap_ms == 800);
  CHECK_FALSE(p.backoff.jitter);
  CHECK(p.backoff.seed == 5);
  CHECK(p.retry_on.server_errors);
  CHECK(p.retry_on.timeouts);
  CHECK_FALSE(p.retry_on.connection);
  CHECK_FALSE(p.retry_on.client_errors);
  CHECK(p.retry_on.statuses == std::vector<long>{429});
  CHECK(p.hedge == 3);
  CHECK(p.hedge_after_ms == 250);

  const Experiment automatic =
      load_text(std::string(kMinimal) + "crawl: {hedge: auto}\n", "x.yaml");
  CHECK(automatic.crawl.policy.hedge == concur::crawl::FetchPolicy::kHedgeAuto);
  CHECK(automatic.crawl.policy.hedging());

  const Experiment plain = load_text(std::string(kMinimal) + "crawl:\n  backoff: none\n", "x.yaml");
  CHECK(plain.crawl.policy.backoff.kind == BackoffKind::none);
  CHECK_FALSE(plain.crawl.policy.hedging());
  CHECK(plain.crawl.policy.retry_on.server_errors);  // the defaults
  CHECK(plain.crawl.policy.retry_on.connection);
}

TEST_CASE("fetch policy errors name the key", "[config][policy][errors]") {
  auto e = load_error(std::string(kMinimal) + "crawl:\n  retry_on: [5xx, 404]\n");
  CHECK_THAT(e.what(), Equals("x.yaml:4: crawl.retry_on[1]: 404 is never retried: the page is "
                              "not there"));
  e = load_error(std::string(kMinimal) + "crawl:\n  retry_on: [5xx, teapot]\n");
  CHECK_THAT(e.what(), Contains("crawl.retry_on[1]: expected one of 5xx|4xx|timeout|connection or "
                                "an HTTP status 400..599, got 'teapot'"));
  e = load_error(std::string(kMinimal) + "crawl:\n  retry_on: [302]\n");
  CHECK(e.key() == "crawl.retry_on[0]");
  e = load_error(std::string(kMinimal) + "crawl:\n  backoff: linear\n");
  CHECK_THAT(e.what(), Contains("crawl.backoff: expected"));
  e = load_error(std::string(kMinimal) + "crawl:\n  backoff: {kind: quadratic}\n");
  CHECK(e.key() == "crawl.backoff.kind");
  e = load_error(std::string(kMinimal) +
                 "crawl:\n  backoff: {kind: exponential, base_ms: 100, cap_ms: 50}\n");
  CHECK_THAT(e.what(), Contains("cap_ms (50) is below base_ms (100)"));
  e = load_error(std::string(kMinimal) + "crawl:\n  backoff: {kind: fixed, jitter: maybe}\n");
  CHECK(e.key() == "crawl.backoff.jitter");
  e = load_error(std::string(kMinimal) + "crawl:\n  backoff: {kind: fixed, base: 10}\n");
  CHECK(e.key() == "crawl.backoff.base");
  e = load_error(std::string(kMinimal) + "crawl:\n  hedge: 65\n");
  CHECK_THAT(e.what(),
             Contains("crawl.hedge: expected auto or an integer between 0 and 64, got '65'"));
  e = load_error(std::string(kMinimal) + "crawl:\n  hedge: automatic\n");
  CHECK(e.key() == "crawl.hedge");
  e = load_error(std::string(kMinimal) + "crawl:\n  hedge_after_ms: -1\n");
  CHECK(e.key() == "crawl.hedge_after_ms");
}
