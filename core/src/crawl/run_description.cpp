#include "crawl/run_description.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

namespace concur::crawl {
namespace {

using nlohmann::json;

constexpr std::string_view kFormat = "concur-run/1";

json policy_json(const FetchPolicy &p) {
  const auto &b = p.backoff;
  const auto &r = p.retry_on;
  return {{"backoff", {static_cast<int>(b.kind), b.base_ms, b.cap_ms, b.jitter, b.seed}},
          {"retry_on", {r.server_errors, r.client_errors, r.timeouts, r.connection, r.statuses}},
          {"hedge", p.hedge},
          {"hedge_after_ms", p.hedge_after_ms}};
}

FetchPolicy policy_from(const json &j) {
  FetchPolicy p;
  const json &b = j.at("backoff");
  p.backoff = {static_cast<BackoffKind>(b.at(0).get<int>()), b.at(1), b.at(2), b.at(3), b.at(4)};
  const json &r = j.at("retry_on");
  p.retry_on = {r.at(0), r.at(1), r.at(2), r.at(3), r.at(4).get<std::vector<long>>()};
  p.hedge = j.at("hedge");
  p.hedge_after_ms = j.at("hedge_after_ms");
  return p;
}

hash::Rule rule_from(const json &j) {
  const auto rule = hash::parse_rule(j.get<std::string>());
  if (!rule) throw DescriptionError("unknown hash rule " + j.dump());
  return *rule;
}

json item_json(const ComputeItem &item) {
  json chains = json::array();
  for (const auto &c : item.chains) chains.push_back({c.seed, c.iterations});
  return {{"builtin", item.builtin ? std::string(compute::kernel_name(*item.builtin)) : ""},
          {"lua", {item.lua_file, item.lua_function}},
          {"args", item.args},
          {"chains", chains},
          {"rule", hash::rule_name(item.rule)},
          {"label", item.label}};
}

ComputeItem item_from(const json &j) {
  ComputeItem item;
  const std::string builtin = j.at("builtin");
  if (!builtin.empty()) {
    item.builtin = compute::parse_kernel(builtin);
    if (!item.builtin) throw DescriptionError("unknown kernel " + builtin);
  }
  item.lua_file = j.at("lua").at(0);
  item.lua_function = j.at("lua").at(1);
  item.args = j.at("args").get<std::vector<std::string>>();
  for (const auto &c : j.at("chains")) item.chains.push_back({c.at(0), c.at(1)});
  item.rule = rule_from(j.at("rule"));
  item.label = j.at("label");
  return item;
}

// This boot of this machine: steady_clock (CLOCK_MONOTONIC) readings compare
// only within one.
std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

}  // namespace

std::string describe_run(const CrawlSettings &s, std::chrono::steady_clock::time_point started) {
  const PuzzleParams &p = s.puzzle;
  json j = {
      {"format", kFormat},
      {"base_url", s.base_url},
      {"timeout_ms", s.timeout_ms},
      {"retries", s.retries},
      {"policy", policy_json(s.policy)},
      {"puzzle", {hash::rule_name(p.rule), p.cpu_iterations, p.core_iterations, p.id_length}},
      {"gil", s.gil},
      {"clock",
       {boot_id(),
        std::chrono::duration_cast<std::chrono::nanoseconds>(started.time_since_epoch()).count()}}};
  if (s.compute) {
    json items = json::array();
    for (const auto &item : *s.compute) items.push_back(item_json(item));
    j["compute"] = items;
  }
  const auto bytes = json::to_cbor(j);
  return {bytes.begin(), bytes.end()};
}

CrawlSettings settings_from_description(std::string_view bytes) {
  const json j = json::from_cbor(bytes, true, false);
  if (j.is_discarded() || !j.is_object() || j.value("format", "") != kFormat)
    throw DescriptionError("not a run description of format " + std::string(kFormat));
  CrawlSettings s;
  try {
    s.base_url = j.at("base_url");
    s.timeout_ms = j.at("timeout_ms");
    s.retries = j.at("retries");
    s.policy = policy_from(j.at("policy"));
    const json &p = j.at("puzzle");
    s.puzzle = {rule_from(p.at(0)), p.at(1), p.at(2), p.at(3)};
    s.gil = j.at("gil");
    s.worker_only = true;
    const json &clock = j.at("clock");
    const std::string boot = clock.at(0);
    if (!boot.empty() && boot == boot_id())
      s.started_at = std::chrono::steady_clock::time_point(
          std::chrono::nanoseconds(clock.at(1).get<int64_t>()));
    if (j.contains("compute")) {
      auto items = std::make_shared<std::vector<ComputeItem>>();
      for (const auto &item : j.at("compute")) items->push_back(item_from(item));
      s.compute = std::move(items);
    }
  } catch (const json::exception &e) {
    throw DescriptionError(std::string("bad run description: ") + e.what());
  }
  return s;
}

}  // namespace concur::crawl
