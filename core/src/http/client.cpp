#include "http/client.hpp"

#include <curl/curl.h>
#include <sys/socket.h>

#include <chrono>
#include <mutex>
#include <new>
#include <stdexcept>

namespace concur::http {
namespace {

constexpr long kReceiveBufferBytes = 4096;

// Returning less than was given makes libcurl stop with CURLE_WRITE_ERROR.
size_t append_body(char *data, size_t size, size_t count, void *user) {
  auto *exchange = static_cast<Exchange *>(user);
  const size_t n = size * count;
  if (exchange->body.size() + n > Exchange::kMaxBody) {
    exchange->too_large = true;
    return 0;
  }
  exchange->body.append(data, n);
  return n;
}

// Every connection's socket close-on-exec, in the call that makes it (no
// fcntl after): a process a Lua hook starts (io.popen, os.execute) must not
// hold a connection of the crawl open after concur closes it.
curl_socket_t open_socket(void *, curlsocktype, curl_sockaddr *address) {
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

}  // namespace

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw std::runtime_error("libcurl: global initialisation failed");
  });
}

Client::Client(long timeout_ms) : curl_(nullptr), timeout_ms_(timeout_ms) {
  global_init();
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw std::bad_alloc();
}

Client::~Client() {
  curl_easy_cleanup(curl_);
}

void Exchange::prepare(CURL *curl, const std::string &url, long timeout_ms) {
  static_assert(sizeof error == CURL_ERROR_SIZE);
  body.clear();
  too_large = false;
  error[0] = '\0';
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  // Threads may block in here; without NOSIGNAL libcurl would use signals for timeouts.
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  // libcurl's receive buffer is 16 KB per transfer by default; a demo page is
  // under 1 KB. With 10,500 in flight the client's peak RSS went from 203 to
  // 192 MB. A larger body only takes more reads.
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, kReceiveBufferBytes);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket);
}

Response Exchange::finish(CURL *curl, int rc, double latency_ms) {
  Response r;
  r.latency_ms = latency_ms;
  if (rc != CURLE_OK) {
    r.error = error[0] != '\0' ? error : curl_easy_strerror(static_cast<CURLcode>(rc));
    r.too_large = too_large;
    if (too_large)
      r.error = "answer larger than " + std::to_string(kMaxBody >> 20) + " MiB: cut off";
    r.curl_code = rc;
    r.connect_failed = rc == CURLE_COULDNT_CONNECT;
    r.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
  } else {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    r.body = std::move(body);
    curl_off_t retry_after = 0;  // a starting server's (PROTOCOL.md, /health)
    if (r.status == 503 && curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK)
      r.retry_after_s = static_cast<long>(retry_after);
  }
  std::string().swap(body);  // a cut-off answer's megabytes must not stay with the handle
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &r.new_connections);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  return r;
}

std::string failure_kind(const Response &r) {
  if (r.status != 0) return "http_" + std::to_string(r.status);
  if (r.too_large) return "too_large";
  switch (static_cast<CURLcode>(r.curl_code)) {
    case CURLE_OPERATION_TIMEDOUT:
      return "timeout";
    case CURLE_COULDNT_CONNECT:
      return "refused";
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      return "connection_lost";
    case CURLE_PARTIAL_FILE:  // fewer bytes than Content-Length, or a chunk cut short
      return "truncated";
    case CURLE_WEIRD_SERVER_REPLY:
    // curl's answer to bytes without a status line ("HTTP/0.9 when not
    // allowed"), and to a redirect to a scheme we do not speak: no HTTP either way.
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_CONTENT_ENCODING:
      return "bad_http";
    case CURLE_TOO_MANY_REDIRECTS:
      return "redirect_loop";
    default:
      return "transport";
  }
}

Response Client::get(const std::string &url) {
  Exchange exchange;
  exchange.prepare(curl_, url, timeout_ms_);
  auto start = std::chrono::steady_clock::now();
  CURLcode rc = curl_easy_perform(curl_);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return exchange.finish(curl_, rc, ms);
}

}  // namespace concur::http
