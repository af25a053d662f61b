// Every setting of the demo server (PROTOCOL.md). One struct, filled from the
// YAML `server:` section, from `concur serve` flags, or left at the defaults.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "hash/md5_chain.hpp"

namespace concur::server {

enum class PageType { regular = 0, delay, failure, cpu, core };
inline constexpr size_t kPageTypeCount = 5;
inline constexpr std::array<const char *, kPageTypeCount> kPageTypeNames = {
    "regular", "delay", "failure", "cpu", "core"};

enum class LinkFormat { path, id, url };

struct Settings {
  uint64_t seed = 42;
  int pages = 1000;
  int id_length = 4;
  int extra_edges = 2000;
  // Shares of each page type, by PageType; counts are exact (largest remainder).
  std::array<double, kPageTypeCount> shares = {0.6, 0.1, 0.1, 0.1, 0.1};
  // Delay before answering, ms, by PageType; multiplied by delay_scale.
  std::array<double, kPageTypeCount> delays_ms = {500, 5000, 500, 100, 100};
  double delay_scale = 1.0;
  double failure_rate = 0.9;
  uint64_t cpu_iterations = 50'000'000;
  uint64_t core_iterations = 12'500'000;
  hash::Rule hash_rule = hash::Rule::indexed;
  LinkFormat link_format = LinkFormat::path;
  // Network.
  std::string host = "127.0.0.1";
  int port = 0;  // 0: an ephemeral port
  int max_connections = 10'000;
  // Seconds a client may take to send a whole request (counted from the end of
  // the previous answer: an idle keep-alive connection too) or to take a whole
  // answer; past it the connection is closed, so stalled clients cannot hold
  // max_connections slots for ever. The page's own delay does not count. 0: never.
  double idle_timeout_s = 60;
};

}  // namespace concur::server
