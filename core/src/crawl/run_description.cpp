#include "crawl/run_description.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include "crawl/cbor.hpp"
#include "crawl/wire.hpp"

namespace concur::crawl {
namespace {

using compute::ComputeItem;
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
  p.backoff = {cbor::enumerator(b.at(0), BackoffKind::exponential), cbor::integer<int>(b.at(1)),
               cbor::integer<int>(b.at(2)), b.at(3), cbor::integer<uint64_t>(b.at(4))};
  const json &r = j.at("retry_on");
  p.retry_on = {r.at(0), r.at(1), r.at(2), r.at(3), cbor::integers<long>(r.at(4))};
  p.hedge = cbor::integer<int>(j.at("hedge"));
  p.hedge_after_ms = cbor::integer<int>(j.at("hedge_after_ms"));
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
  for (const auto &c : cbor::array(j.at("chains")))
    item.chains.push_back({c.at(0), cbor::integer<uint64_t>(c.at(1))});
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

// The bytes as a description of our format; DescriptionError when they are not one.
json parse_description(std::string_view bytes) {
  if (bytes.size() > wire::kMaxMessage)
    throw DescriptionError("a run description of " + std::to_string(bytes.size()) +
                           " bytes: more than the limit of " + std::to_string(wire::kMaxMessage));
  const auto refused = [] {
    return DescriptionError("not a run description of format " + std::string(kFormat));
  };
  json j;
  try {
    j = cbor::parse(bytes);
  } catch (const cbor::Error &) {
    throw refused();
  }
  const auto format = j.find("format");  // end() unless j is a map
  if (format == j.end() || !format->is_string() ||
      format->get_ref<const std::string &>() != kFormat)
    throw refused();
  return j;
}

CrawlSettings settings_from(const json &j) {
  CrawlSettings s;
  s.base_url = j.at("base_url");
  s.timeout_ms = cbor::integer<int>(j.at("timeout_ms"));
  s.retries = cbor::integer<int>(j.at("retries"));
  s.policy = policy_from(j.at("policy"));
  const json &p = j.at("puzzle");
  s.puzzle = {rule_from(p.at(0)), cbor::integer<uint64_t>(p.at(1)),
              cbor::integer<uint64_t>(p.at(2)), cbor::integer<int>(p.at(3))};
  s.gil = j.at("gil");
  s.worker_only = true;
  const json &clock = j.at("clock");
  const std::string boot = clock.at(0);
  const auto started = cbor::integer<int64_t>(clock.at(1));
  if (!boot.empty() && boot == boot_id())
    s.started_at = std::chrono::steady_clock::time_point(std::chrono::nanoseconds(started));
  if (j.contains("compute")) {
    auto items = std::make_shared<std::vector<ComputeItem>>();
    for (const auto &item : cbor::array(j.at("compute"))) items->push_back(item_from(item));
    s.compute = std::move(items);
  }
  return s;
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
  const json j = parse_description(bytes);
  try {
    return settings_from(j);
  } catch (const json::exception &e) {
    throw DescriptionError(std::string("bad run description: ") + e.what());
  } catch (const cbor::Error &e) {
    throw DescriptionError(std::string("bad run description: ") + e.what());
  }
}

}  // namespace concur::crawl
