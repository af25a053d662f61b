// What the server counts for `GET /metrics` (PROTOCOL.md): the server-side
// truth a runner's figures can be checked against. Plain integers: only the
// I/O thread touches them (Server::stats() asks that thread for a copy).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "server/settings.hpp"

namespace concur::server {

// A request's `type` label: the page types first, then these.
inline constexpr uint8_t kLabelRoot = kPageTypeCount;       // /api/
inline constexpr uint8_t kLabelOther = kPageTypeCount + 1;  // everything else

struct Metrics {
  // Upper bounds (ms) of the delay-error histogram: how late an answer was
  // written against its page's configured delay.
  static constexpr std::array<double, 12> kBuckets = {0.1, 0.25, 0.5, 1,   2.5, 5,
                                                      10,  25,   50,  100, 250, 1000};

  void record_delay_error(double ms);
  std::string render(size_t pages) const;

  std::map<std::pair<uint8_t, int>, uint64_t> requests;  // (label, status) -> count
  uint64_t in_flight = 0;  // read, not yet written (delayed ones included)
  uint64_t connections_open = 0;
  uint64_t connections_peak = 0;
  uint64_t connections_accepted = 0;
  uint64_t connections_timed_out = 0;  // closed by idle_timeout_s
  uint64_t connections_refused = 0;    // out of descriptors: answered 503 and closed
  uint64_t bytes_sent = 0;
  std::array<uint64_t, kBuckets.size() + 1> delay_buckets{};  // the last one is +Inf
  double delay_error_sum_ms = 0;
  double delay_error_max_ms = 0;
  uint64_t delay_error_count = 0;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

}  // namespace concur::server
