#include "server/metrics.hpp"

#include <algorithm>
#include <charconv>

namespace concur::server {
namespace {

const char *label_name(uint8_t label) {
  if (label < kPageTypeCount) return kPageTypeNames[label];
  return label == kLabelRoot ? "root" : "other";
}

std::string number(double value) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, r.ptr);
}

void family(std::string &out, const char *name, const char *type, const char *help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void single(std::string &out, const char *name, const char *type, const char *help,
            const std::string &value) {
  family(out, name, type, help);
  out += std::string(name) + " " + value + "\n";
}

}  // namespace

void Metrics::record_delay_error(double ms) {
  ms = std::max(ms, 0.0);  // a steady timer never fires early; rounding might say so
  const auto bucket = std::lower_bound(kBuckets.begin(), kBuckets.end(), ms) - kBuckets.begin();
  ++delay_buckets[static_cast<size_t>(bucket)];
  delay_error_sum_ms += ms;
  delay_error_max_ms = std::max(delay_error_max_ms, ms);
  ++delay_error_count;
}

std::string Metrics::render(size_t pages) const {
  std::string out;
  family(out, "concur_requests_total", "counter",
         "Requests answered, by page type (root, other: not a graph page) and status.");
  for (const auto &[key, count] : requests)
    out += std::string("concur_requests_total{type=\"") + label_name(key.first) + "\",status=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(count) + "\n";
  single(out, "concur_requests_in_flight", "gauge", "Requests read and not yet answered.",
         std::to_string(in_flight));
  single(out, "concur_connections_open", "gauge", "Open client connections.",
         std::to_string(connections_open));
  single(out, "concur_connections_peak", "gauge", "Most connections open at once so far.",
         std::to_string(connections_peak));
  single(out, "concur_connections_accepted_total", "counter", "Connections accepted.",
         std::to_string(connections_accepted));
  single(out, "concur_connections_timed_out_total", "counter",
         "Connections closed by idle_timeout_s: a request or an answer took too long.",
         std::to_string(connections_timed_out));
  single(out, "concur_connections_refused_total", "counter",
         "Connections answered 503 and closed: the server was out of file descriptors.",
         std::to_string(connections_refused));
  single(out, "concur_response_bytes_total", "counter", "Bytes of responses written.",
         std::to_string(bytes_sent));
  family(out, "concur_delay_error_ms", "histogram",
         "Graph pages: time from reading the request to writing the answer, minus the page's "
         "configured delay, in ms.");
  uint64_t cumulative = 0;
  for (size_t b = 0; b < delay_buckets.size(); ++b) {
    cumulative += delay_buckets[b];
    const std::string le = b < kBuckets.size() ? number(kBuckets[b]) : "+Inf";
    out += "concur_delay_error_ms_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += "concur_delay_error_ms_sum " + number(delay_error_sum_ms) + "\n";
  out += "concur_delay_error_ms_count " + std::to_string(delay_error_count) + "\n";
  single(out, "concur_delay_error_max_ms", "gauge", "Largest delay error so far, in ms.",
         number(delay_error_max_ms));
  single(out, "concur_graph_pages", "gauge", "Pages in the graph.", std::to_string(pages));
  const double up =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  single(out, "concur_uptime_seconds", "gauge", "Seconds since the server was made.", number(up));
  return out;
}

}  // namespace concur::server
