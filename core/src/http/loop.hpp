// Non-blocking HTTP GETs: libcurl's multi-socket interface driven by epoll and
// a timerfd, in the shape of curl's ephiperfifo.c example — a socket callback
// keeps epoll in step with the sockets libcurl wants watched, a timer callback
// arms the timerfd, and one check of the multi's messages after each wake-up
// finishes the transfers that are done. Connections stay in the multi handle's
// cache and are reused; easy handles are recycled.
//
// One thread owns a Loop: get() and run_once() are called on it, and every
// callback runs on it. post() is the only thread-safe member.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/client.hpp"

typedef void CURLM;

namespace concur::http {

class Loop {
 public:
  using Done = std::function<void(Response)>;

  explicit Loop(long timeout_ms);
  // Transfers still in flight are cancelled; their Done never runs.
  ~Loop();
  Loop(const Loop &) = delete;
  Loop &operator=(const Loop &) = delete;

  // Starts a GET; `done` runs from a later run_once() with the response.
  void get(const std::string &url, Done done);
  // Thread-safe: `fn` runs on the loop's thread from a later run_once(),
  // which is woken if it is waiting.
  void post(std::function<void()> fn);
  // Waits up to timeout_ms (-1: no limit) for sockets, the timer or a post,
  // then runs every callback that became due. Throws std::system_error when
  // epoll itself fails.
  void run_once(int timeout_ms);
  size_t in_flight() const { return active_.size(); }

 private:
  struct Transfer {
    Exchange exchange;
    Done done;
    std::chrono::steady_clock::time_point start;
  };

  static int on_socket(CURL *easy, int fd, int what, void *self, void *socket_state);
  static int on_timer(CURLM *multi, long timeout_ms, void *self);
  void watch(int fd, int what, bool known);
  void arm_timer(long timeout_ms);
  void act(int fd, int curl_events);
  void finish_transfers();
  void run_posted();

  long timeout_ms_;
  CURLM *multi_ = nullptr;
  int epoll_fd_ = -1, timer_fd_ = -1, wake_fd_ = -1;
  std::vector<CURL *> spare_;  // finished easy handles, ready for reuse
  std::unordered_map<CURL *, std::unique_ptr<Transfer>> active_;
  std::mutex posted_mutex_;  // guards posted_
  std::vector<std::function<void()>> posted_;
};

}  // namespace concur::http
