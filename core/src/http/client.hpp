// Blocking HTTP GET on one libcurl easy handle, reused so that connections are
// kept alive. One Client per worker thread: a handle must not be shared.
#pragma once

#include <cstddef>
#include <string>

typedef void CURL;

namespace concur::http {

struct Response {
  long status = 0;  // HTTP status; 0 when the transfer itself failed
  std::string body;
  std::string error;            // transport error text when status == 0
  double latency_ms = 0;        // request sent → last byte received
  long new_connections = 0;     // TCP connections this request opened (0 on reuse)
  bool connect_failed = false;  // no connection could be made at all
  bool timed_out = false;       // the request's time limit ran out
  bool too_large = false;       // the body passed Exchange::kMaxBody and was cut off
  int curl_code = 0;            // libcurl's CURLcode of a failed transfer
  long retry_after_s = 0;       // a 503's Retry-After in seconds; 0 when it has none
  bool ok() const { return status >= 200 && status < 300; }
};

// Why a request did not bring a page, as one short stable word for counts:
// timeout, refused, connection_lost, truncated, bad_http, redirect_loop,
// too_large, transport (any other transfer error), or http_<status>.
std::string failure_kind(const Response &r);

class Client {
 public:
  explicit Client(long timeout_ms);
  ~Client();
  Client(const Client &) = delete;
  Client &operator=(const Client &) = delete;

  // Follows redirects (the server's /graph/random answers 307).
  Response get(const std::string &url);

 private:
  CURL *curl_;
  long timeout_ms_;
};

// Idempotent, thread-safe; called by Client's and Loop's constructors.
void global_init();

// One GET's state on an easy handle, shared by the blocking Client and the
// non-blocking Loop so that both ask and answer exactly the same way.
struct Exchange {
  // Pages are kilobytes: an answer past this is cut off and the GET fails,
  // so an endless or enormous body cannot take the client's memory.
  static constexpr size_t kMaxBody = size_t{32} << 20;  // 32 MiB

  std::string body;
  bool too_large = false;  // the body passed kMaxBody: the transfer was stopped
  char error[256] = {0};   // CURL_ERROR_SIZE
  // Sets URL, redirects, timeout and the body sink on `curl`.
  void prepare(CURL *curl, const std::string &url, long timeout_ms);
  // Reads status and connection count after the transfer ended with `rc`
  // (a CURLcode); moves the body out.
  Response finish(CURL *curl, int rc, double latency_ms);
};

}  // namespace concur::http
