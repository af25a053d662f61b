// The demo server's answers (PROTOCOL.md, "Endpoints"), apart from any HTTP
// library: the Beast side only moves bytes, so this part stays cheap to compile
// and easy to read. Everything that does not change per request is rendered
// once up front.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/graph.hpp"
#include "server/metrics.hpp"
#include "server/rng.hpp"
#include "server/startup.hpp"

namespace concur::server {

// The body is `*fixed` (rendered up front and owned by Routes, so it lives as
// long as the server), then `body`, then `tail`: a page shares its prebuilt text
// and adds only its time stamps, so no body is copied per request.
struct Answer {
  int status = 200;
  const std::string *fixed = nullptr;
  std::string body;      // JSON made for this request (errors, /metrics, samples)
  std::string location;  // 307 only
  std::chrono::microseconds delay{0};
  bool method_not_allowed = false;  // the HTTP side adds "Allow: GET, HEAD"
  bool stamp = false;               // finish() must add the timestamps (to tail)
  double requested_at = 0;
  uint8_t label = kLabelOther;  // the /metrics type: a page type when a page answered
  uint8_t tail_size = 0;
  std::array<char, 96> tail{};  // the closing time stamps of a page or /api/
  const char *content_type = "application/json";
  uint32_t retry_after_s = 0;  // > 0: the HTTP side adds "Retry-After" (a starting server)

  size_t size() const { return (fixed ? fixed->size() : 0) + body.size() + tail_size; }
  std::string_view tail_view() const { return {tail.data(), tail_size}; }
};

class Routes {
 public:
  explicit Routes(std::shared_ptr<const Graph> graph);
  // A starting server's: every request gets 503, Retry-After and `startup`'s
  // progress until take_over() brings the graph.
  Routes(const Settings &settings, std::shared_ptr<const Startup> startup);

  // Becomes `ready` (built and prepared on another thread), keeping this
  // one's metrics: what was counted while starting stays counted.
  void take_over(Routes &&ready);
  bool ready() const { return graph_ != nullptr; }

  // Renders every static body; `base_url` is needed by link_format url.
  void prepare(const std::string &base_url);

  // Routes one request. Not thread-safe: the server's I/O thread only.
  Answer answer(std::string_view method, std::string_view target);
  // Completes a page body once its delay is over (generated_at is then):
  // writes `tail` only, no allocation.
  static void finish(Answer &answer);

  const Settings &settings() const { return settings_; }
  // The I/O thread's counters, which /metrics renders.
  Metrics &metrics() { return metrics_; }

  // Any thread.
  void reset_request_counts();
  // Per page (graph index), since the last reset: requests that reached it,
  // and those answered 200 (decided on arrival, as failures are). What a
  // runner that cannot see a crawler's own records judges it by.
  std::vector<uint32_t> page_requests() const;
  std::vector<uint32_t> page_answers_ok() const;
  const Graph &graph() const { return *graph_; }

  static double unix_now();

 private:
  Answer starting() const;
  Answer page(std::string_view id, double requested_at);
  Answer redirect(uint32_t page) const;
  Answer sample(std::string_view query);
  Answer random_of_type(std::string_view name);
  void render_pages(const std::string &base_url);
  void render_statics();

  Settings settings_;
  std::shared_ptr<const Graph> graph_;      // null while starting
  std::shared_ptr<const Startup> startup_;  // while starting
  Rng rng_;
  std::vector<std::string> page_bodies_;  // open-ended: finish() closes them
  std::vector<std::vector<uint32_t>> by_type_;
  std::vector<uint32_t> shuffled_;  // a permutation, partially reshuffled per sample
  std::string index_body_, root_body_, health_body_, cheat_body_, stats_body_;
  std::array<std::chrono::microseconds, kPageTypeCount> delays_{};
  std::unique_ptr<std::atomic<uint64_t>[]> request_counts_;
  std::unique_ptr<std::atomic<uint32_t>[]> ok_counts_;
  Metrics metrics_;
};

}  // namespace concur::server
