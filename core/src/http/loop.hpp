// Non-blocking HTTP GETs: libcurl's multi-socket interface driven by epoll and
// timerfds, in the shape of curl's ephiperfifo.c example — a socket callback
// keeps epoll in step with the sockets libcurl wants watched, a timer callback
// arms a timerfd, and one check of the multi's messages after each wake-up
// finishes the transfers that are done. Connections stay in the multi handle's
// cache and are reused; easy handles are recycled.
//
// The transfers are spread over a few multi handles ("shards"), each with its
// own connection cache and timer: libcurl 7.88 walks its connection cache and
// handle lists per transfer, so one multi with 10,000 transfers in flight
// spends its time walking lists. A shard of a few hundred does not.
//
// One thread owns a Loop: get() and run_once() are called on it, and every
// callback runs on it. post() is the only thread-safe member.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http/client.hpp"

typedef void CURLM;

namespace concur::http {

class Loop {
 public:
  using Done = std::function<void(Response)>;
  using Id = uint64_t;  // names one transfer, for cancel(); never reused

  explicit Loop(long timeout_ms);
  // Transfers still in flight are cancelled; their Done never runs.
  ~Loop();
  Loop(const Loop &) = delete;
  Loop &operator=(const Loop &) = delete;

  // Starts a GET; `done` runs from a later run_once() with the response.
  Id get(const std::string &url, Done done);
  // Stops a transfer still in flight; its Done never runs. False when it had
  // already finished (or was never started).
  bool cancel(Id id);
  // `fn` runs from the first run_once() at least `ms` from now (a timer
  // shared by every caller: a heap of deadlines, no descriptor each).
  void after(double ms, std::function<void()> fn);
  // Thread-safe: `fn` runs on the loop's thread from a later run_once(),
  // which is woken if it is waiting.
  void post(std::function<void()> fn);
  // Waits up to timeout_ms (-1: no limit) for sockets, timers or a post,
  // then runs every callback that became due. Throws std::system_error when
  // epoll itself fails.
  void run_once(int timeout_ms);
  size_t in_flight() const { return active_.size(); }
  size_t timers_pending() const { return timers_.size(); }

 private:
  struct Transfer {
    Exchange exchange;
    Done done;
    std::chrono::steady_clock::time_point start;
    size_t shard;
    Id id;
  };
  // A timer's key: when it is due, then the order it was set (ties run in order).
  using TimerKey = std::pair<std::chrono::steady_clock::time_point, uint64_t>;
  // One multi handle with its timer.
  struct Shard {
    Loop *loop = nullptr;
    size_t index = 0;
    CURLM *multi = nullptr;
    int timer_fd = -1;
    size_t active = 0;         // transfers in flight on it
    bool timeout_now = false;  // libcurl wants CURL_SOCKET_TIMEOUT at once
    bool timer_armed = false;
    std::chrono::steady_clock::time_point timer_deadline;  // when timer_fd fires
  };

  static int on_socket(CURL *easy, int fd, int what, void *shard, void *socket_state);
  static int on_timer(CURLM *multi, long timeout_ms, void *shard);
  void watch(Shard &shard, int fd, int what, bool known);
  void arm_timer(Shard &shard, long timeout_ms);
  void on_timer_fired(Shard &shard);
  void act(Shard &shard, int fd, int curl_events);
  Shard &least_busy();
  void finish_transfers();
  void run_posted();
  int wait_limit(int timeout_ms) const;  // epoll's timeout, shortened by due timers
  void run_timers();

  long timeout_ms_;
  int epoll_fd_ = -1, wake_fd_ = -1;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<CURL *> spare_;  // finished easy handles, ready for reuse
  std::unordered_map<CURL *, std::unique_ptr<Transfer>> active_;
  std::unordered_map<Id, CURL *> by_id_;
  Id next_id_ = 1;
  std::map<TimerKey, std::function<void()>> timers_;  // earliest first
  uint64_t timers_set_ = 0;
  std::mutex posted_mutex_;  // guards posted_
  std::vector<std::function<void()>> posted_;
};

}  // namespace concur::http
