// A run's description survives the trip to a worker process: every field a
// worker's fetch, interpret and solve depend on comes back equal.
#include <catch2/catch.hpp>
#include <functional>
#include <nlohmann/json.hpp>

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
  auto items = std::make_shared<std::vector<compute::ComputeItem>>();
  compute::ComputeItem kernel;
  kernel.builtin = compute::Kernel::prime_factors;
  kernel.args = {"600851475143"};
  kernel.label = "prime_factors";
  compute::ComputeItem lua;
  lua.lua_file = "scripts/kernels.lua";
  lua.lua_function = "sum_of_squares";
  lua.args = {"3000000"};
  lua.label = "lua:scripts/kernels.lua#sum_of_squares";
  compute::ComputeItem puzzle;
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

  // hedge: auto travels as itself; a worker makes its own plan (no graph).
  s.policy.hedge = crawl::FetchPolicy::kHedgeAuto;
  const CrawlSettings automatic = crawl::settings_from_description(crawl::describe_run(s, started));
  CHECK(automatic.policy.hedge == crawl::FetchPolicy::kHedgeAuto);
  CHECK(automatic.policy.hedging());
}

TEST_CASE("bytes that are no run description are refused", "[crawl][distributed]") {
  CHECK_THROWS_AS(crawl::settings_from_description("hello"), crawl::DescriptionError);
  CHECK_THROWS_AS(crawl::settings_from_description(""), crawl::DescriptionError);
  CrawlSettings s;
  std::string bytes = crawl::describe_run(s, std::chrono::steady_clock::now());
  bytes.resize(bytes.size() / 2);  // cut short
  CHECK_THROWS_AS(crawl::settings_from_description(bytes), crawl::DescriptionError);
}

namespace {

std::string edited(const std::string &cbor, const std::function<void(nlohmann::json &)> &edit) {
  nlohmann::json j = nlohmann::json::from_cbor(cbor);
  edit(j);
  const auto bytes = nlohmann::json::to_cbor(j);
  return {bytes.begin(), bytes.end()};
}

std::string compute_description() {
  CrawlSettings s;
  compute::ComputeItem kernel;
  kernel.builtin = compute::Kernel::prime_factors;
  kernel.args = {"91"};
  compute::ComputeItem puzzle;
  puzzle.chains = {{"seed-a", 100}};
  s.compute = std::make_shared<std::vector<compute::ComputeItem>>(
      std::vector<compute::ComputeItem>{kernel, puzzle});
  s.policy.retry_on.statuses = {429};
  return crawl::describe_run(s, std::chrono::steady_clock::now());
}

}  // namespace

TEST_CASE("every prefix of a run description is refused", "[crawl][distributed]") {
  const std::string bytes = compute_description();
  for (size_t n = 0; n < bytes.size(); ++n) {
    INFO("prefix of " << n << " bytes");
    CHECK_THROWS_AS(crawl::settings_from_description(bytes.substr(0, n)), crawl::DescriptionError);
  }
}

TEST_CASE("another format, or a field of the wrong type, is a DescriptionError",
          "[crawl][distributed]") {
  using nlohmann::json;
  const std::vector<std::function<void(json &)>> edits = {
      [](json &j) { j["format"] = "concur-run/2"; },
      [](json &j) { j["format"] = 1; },
      [](json &j) {
        j["format"] = json::object({{"a", 1}});
      },
      [](json &j) { j.erase("format"); },
      [](json &j) { j = json::array({"concur-run/1"}); },
      [](json &j) {
        j["base_url"] = json::object({{"a", 1}});
      },
      [](json &j) { j["timeout_ms"] = "10 s"; },
      [](json &j) {
        j["policy"]["backoff"] = json::array({0, 10});
      },
      [](json &j) { j["policy"]["retry_on"][4] = json::array({"429"}); },
      [](json &j) { j["puzzle"][0] = "sha1"; },  // no such hash rule
      [](json &j) { j["clock"] = json::object(); },
      [](json &j) { j["compute"][0]["builtin"] = "no_such_kernel"; },
      [](json &j) { j["compute"][1]["chains"][0] = "seed-a"; },
      [](json &j) { j["compute"] = "all"; },
      [](json &j) {
        j["compute"] = json::object({{"a", json::object()}});
      },
      // Numbers the fields cannot hold: floats in integer fields, out of range.
      [](json &j) { j["timeout_ms"] = 1e300; },
      [](json &j) { j["retries"] = int64_t{1} << 40; },
      [](json &j) { j["policy"]["backoff"][0] = 3; },  // no such backoff kind
      [](json &j) { j["policy"]["backoff"][4] = -1; },
      [](json &j) { j["policy"]["retry_on"][4][0] = 429.5; },
      [](json &j) { j["puzzle"][1] = -1.0; },
      [](json &j) { j["clock"][1] = 1e300; },
      [](json &j) { j["compute"][1]["chains"][0][1] = -100; },
  };
  const std::string bytes = compute_description();
  REQUIRE_NOTHROW(crawl::settings_from_description(bytes));
  for (size_t i = 0; i < edits.size(); ++i) {
    INFO("edit " << i);
    CHECK_THROWS_AS(crawl::settings_from_description(edited(bytes, edits[i])),
                    crawl::DescriptionError);
  }
}

TEST_CASE("nesting without end and lengths without bytes are refused", "[crawl][distributed]") {
  const std::string deep = std::string(1'000'000, '\x81') + '\0';
  CHECK_THROWS_AS(crawl::settings_from_description(deep), crawl::DescriptionError);
  // A map of 2^60 entries in 9 bytes: nlohmann's DOM builder would throw its own error.
  const std::string huge("\xbb\x10\0\0\0\0\0\0\0", 9);
  CHECK_THROWS_AS(crawl::settings_from_description(huge), crawl::DescriptionError);
}
