#include "crawl/policy.hpp"

#include <algorithm>
#include <cmath>

#include "hash/mix.hpp"
#include "http/client.hpp"

namespace concur::crawl {
namespace {

// A uniform number in [0, 1) from (seed, page, retry).
double unit(uint64_t seed, const std::string &page, int retry) {
  // The mixers the server's graph is made with (hash/mix.hpp): the same on every machine.
  const uint64_t bits =
      hash::mix64(hash::mix64(seed ^ hash::fnv1a(page)) + static_cast<uint64_t>(retry));
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

}  // namespace

bool worth_retrying(const http::Response &r, const RetryOn &on) {
  // A server that sent 32 MiB for a page will send it again: not worth it.
  if (r.too_large) return false;
  if (r.status == 0) return r.timed_out ? on.timeouts : on.connection;
  if (r.status == 404) return false;  // the page is not there; asking again will not change it
  if (std::find(on.statuses.begin(), on.statuses.end(), r.status) != on.statuses.end()) return true;
  if (r.status >= 500) return on.server_errors;
  if (r.status >= 400) return on.client_errors;
  return false;
}

double backoff_ms(const Backoff &b, const std::string &page, int retry) {
  double wait = 0;
  switch (b.kind) {
    case BackoffKind::none:
      return 0;
    case BackoffKind::fixed:
      wait = b.base_ms;
      break;
    case BackoffKind::exponential:
      // base, 2 base, 4 base ... up to the cap (the exponent is bounded so
      // 2^k never overflows a double's integer range).
      wait = std::min<double>(b.cap_ms, b.base_ms * std::ldexp(1.0, std::min(retry - 1, 60)));
      break;
  }
  return b.jitter ? wait * unit(b.seed, page, retry) : wait;
}

double expected_lost_pages(double failure_rate, double failure_pages, int retries) {
  return failure_pages * std::pow(failure_rate, retries + 1);
}

int auto_retries(double failure_rate, double failure_pages) {
  if (failure_rate >= 1 || failure_rate <= 0 || failure_pages <= 0) return kMinRetries;
  // Solved for r: (r + 1) ln(rate) < ln(kLost / pages); then checked upwards
  // so rounding cannot leave the bound unmet.
  const double exact = std::log(kLostPagesPerCrawl / failure_pages) / std::log(failure_rate) - 1;
  int r = std::max(0, static_cast<int>(std::floor(std::min(exact, 1e6))));
  while (expected_lost_pages(failure_rate, failure_pages, r) >= kLostPagesPerCrawl) ++r;
  return std::max(r, kMinRetries);
}

double connect_backoff_ms(int refused_in_a_row) {
  return 10.0 * std::ldexp(1.0, std::clamp(refused_in_a_row, 1, kConnectRetries) - 1);
}

const char *backoff_name(BackoffKind kind) {
  switch (kind) {
    case BackoffKind::fixed:
      return "fixed";
    case BackoffKind::exponential:
      return "exponential";
    case BackoffKind::none:
      break;
  }
  return "none";
}

std::string describe(const FetchPolicy &p) {
  const Backoff &b = p.backoff;
  std::string out = std::string("backoff=") + backoff_name(b.kind);
  if (b.kind != BackoffKind::none)
    out += ":" + std::to_string(b.base_ms) + ":" + std::to_string(b.cap_ms) + ":" +
           (b.jitter ? "jitter:" + std::to_string(b.seed) : std::string("exact"));
  std::string on;
  auto add = [&on](const std::string &what) { on += (on.empty() ? "" : "+") + what; };
  if (p.retry_on.server_errors) add("5xx");
  if (p.retry_on.client_errors) add("4xx");
  if (p.retry_on.timeouts) add("timeout");
  if (p.retry_on.connection) add("connection");
  for (long status : p.retry_on.statuses) add(std::to_string(status));
  return out + " retry_on=" + (on.empty() ? "nothing" : on) + " hedge=" +
         (p.hedge == FetchPolicy::kHedgeAuto ? std::string("auto") : std::to_string(p.hedge)) +
         " hedge_after_ms=" + std::to_string(p.hedge_after_ms);
}

}  // namespace concur::crawl
