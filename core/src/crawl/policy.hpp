// How a page is fetched, beyond "try again at once": which failures are worth
// another attempt, how long to wait before it, and hedging (several copies of
// one attempt, the first success wins). Core applies it for every strategy, in
// CrawlRun's blocking and event-loop fetches alike. Plain data here, so the
// config layer can fill it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace concur::http {
struct Response;
}

namespace concur::crawl {

enum class BackoffKind { none, fixed, exponential };

struct Backoff {
  BackoffKind kind = BackoffKind::none;  // none: retry at once
  int base_ms = 10;                      // fixed: every wait; exponential: the first
  int cap_ms = 500;                      // exponential: no wait longer than this
  bool jitter = true;                    // "full jitter": a uniform wait in [0, the wait]
  uint64_t seed = 0;                     // the jitter's: same seed, same schedule
};

// What a failed attempt must look like to be tried again. A 404 never is.
struct RetryOn {
  bool server_errors = true;   // 5xx
  bool client_errors = false;  // 4xx but 404
  bool timeouts = true;
  bool connection = true;      // refused, reset, any other transport error
  std::vector<long> statuses;  // and these statuses (e.g. 429), whatever the above say
};

struct FetchPolicy {
  Backoff backoff;
  RetryOn retry_on;
  // Attempts after a failed one go out as this many parallel copies (0 or 1:
  // one); the first success wins and the others are cancelled. kHedgeAuto:
  // each attempt of a page sends what its slack asks for (hedge_plan.hpp).
  int hedge = 0;
  static constexpr int kHedgeAuto = -1;
  // A copy still unanswered after this long gets a twin ("The Tail at Scale");
  // 0: off.
  int hedge_after_ms = 0;
  bool hedging() const { return hedge > 1 || hedge == kHedgeAuto || hedge_after_ms > 0; }
};

bool worth_retrying(const http::Response &response, const RetryOn &on);

// The wait before retry number `retry` (1 = the first retry) of `page`, in
// ms. With jitter it is a pure function of (seed, page, retry): the schedule
// is the same run after run, whichever thread retries.
double backoff_ms(const Backoff &backoff, const std::string &page, int retry);

// `retries: auto`: the fewest retries r with which the expected number of
// failure pages that give up, failure_pages × failure_rate^(r+1), stays below
// kLostPagesPerCrawl; at least kMinRetries (other failures: a reset, a
// timeout), and kMinRetries when failure pages never answer (retrying them
// cannot help). Raising r costs nothing on average: a failure page takes
// 1 / (1 - failure_rate) attempts whatever the cap; r only cuts the tail.
inline constexpr double kLostPagesPerCrawl = 0.001;
inline constexpr int kMinRetries = 3;
int auto_retries(double failure_rate, double failure_pages);
// failure_pages × failure_rate^(retries + 1).
double expected_lost_pages(double failure_rate, double failure_pages, int retries);

// A connect that is refused (nothing listens: the server is down or
// restarting) is retried after 10, 20, 40 ... ms whatever `backoff` says, and
// at most kConnectRetries times in a row (~2.5 s of waiting in all): retried
// at once, 50 refusals took 2 ms and proved nothing more than the first.
inline constexpr int kConnectRetries = 8;
double connect_backoff_ms(int refused_in_a_row);

const char *backoff_name(BackoffKind kind);

// One token, for a CSV cell and the run's identity, e.g.
// "backoff=exponential:10:500:jitter:0 retry_on=5xx+timeout+connection hedge=0 hedge_after_ms=0".
std::string describe(const FetchPolicy &policy);

}  // namespace concur::crawl
