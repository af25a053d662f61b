// A run's description survives the trip to a worker process: every field a
// worker's fetch, interpret and solve depend on comes back equal.
#include <catch2/catch.hpp>

#include "crawl/run_description.hpp"

using namespace concur;
using crawl::CrawlSettings;

TEST_CASE("a run description round-trips everything a worker needs", "[crawl][distributed]") {
  CrawlSettings s;
  s.base_url = "http://10.0.0.1:5000";
  s.start_id = "ab12";
  s.timeout_ms = 1234;
  s.retries = 7;
  s.policy.backoff = {crawl::BackoffKind::exponential, 11, 222, false, 99};
  s.policy.retry_on = {false, true, false, true, {429, 503}};
  s.policy.hedge = 3;
  s.policy.hedge_after_ms = 40;
  s.puzzle = {hash::Rule::plain, 5000, 1250, 6};
  s.gil = true;
  auto items = std::make_shared<std::vector<crawl::ComputeItem>>();
  crawl::ComputeItem kernel;
  kernel.builtin = compute::Kernel::prime_factors;
  kernel.args = {"600851475143"};
  kernel.label = "prime_factors";
  crawl::ComputeItem lua;
  lua.lua_file = "scripts/kernels.lua";
  lua.lua_function = "sum_of_squares";
  lua.args = {"3000000"};
  lua.label = "lua:scripts/kernels.lua#sum_of_squares";
  crawl::ComputeItem puzzle;
  puzzle.chains = {{"seed-a", 100}, {"seed-b", 100}};
  puzzle.rule = hash::Rule::plain;
  puzzle.label = "core";
  *items = {kernel, lua, puzzle};
  s.compute = items;

  const auto started = std::chrono::steady_clock::now() - std::chrono::seconds(3);
  const CrawlSettings back = crawl::settings_from_description(crawl::describe_run(s, started));
  CHECK(back.worker_only);
  CHECK(back.base_url == s.base_url);
  CHECK(back.timeout_ms == 1234);
  CHECK(back.retries == 7);
  CHECK(crawl::describe(back.policy) == crawl::describe(s.policy));
  CHECK(back.policy.retry_on.statuses == std::vector<long>{429, 503});
  CHECK(back.policy.backoff.seed == 99);
  CHECK(back.puzzle.rule == hash::Rule::plain);
  CHECK(back.puzzle.cpu_iterations == 5000);
  CHECK(back.puzzle.core_iterations == 1250);
  CHECK(back.puzzle.id_length == 6);
  CHECK(back.gil);
  // Same machine, same boot: the worker's clock starts where the coordinator's did.
  REQUIRE(back.started_at.has_value());
  CHECK(*back.started_at == started);
  REQUIRE(back.compute);
  REQUIRE(back.compute->size() == 3);
  const auto &k = (*back.compute)[0];
  CHECK(k.builtin == compute::Kernel::prime_factors);
  CHECK(k.args == kernel.args);
  CHECK((*back.compute)[1].lua_file == "scripts/kernels.lua");
  CHECK((*back.compute)[1].lua_function == "sum_of_squares");
  CHECK_FALSE((*back.compute)[1].builtin.has_value());
  const auto &p = (*back.compute)[2];
  REQUIRE(p.chains.size() == 2);
  CHECK(p.chains[1].seed == "seed-b");
  CHECK(p.chains[1].iterations == 100);
  CHECK(p.rule == hash::Rule::plain);
  CHECK(p.label == "core");
}

TEST_CASE("bytes that are no run description are refused", "[crawl][distributed]") {
  CHECK_THROWS_AS(crawl::settings_from_description("hello"), crawl::DescriptionError);
  CHECK_THROWS_AS(crawl::settings_from_description(""), crawl::DescriptionError);
  CrawlSettings s;
  std::string bytes = crawl::describe_run(s, std::chrono::steady_clock::now());
  bytes.resize(bytes.size() / 2);  // cut short
  CHECK_THROWS_AS(crawl::settings_from_description(bytes), crawl::DescriptionError);
}
