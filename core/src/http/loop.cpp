#include "http/loop.hpp"

#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <new>
#include <stdexcept>
#include <system_error>

namespace concur::http {
namespace {

// A new shard opens once every existing one carries this many transfers.
constexpr size_t kShardCapacity = 256;

// What an epoll event is about, packed in its 64-bit data.
constexpr uint64_t kTimerTag = 1ull << 63;  // | shard index
constexpr uint64_t kWakeTag = 1ull << 62;
uint64_t socket_tag(size_t shard, int fd) {
  return (uint64_t{shard} << 32) | static_cast<uint32_t>(fd);
}

[[noreturn]] void throw_errno(const char *what) {
  throw std::system_error(errno, std::generic_category(), what);
}

int checked(int fd, const char *what) {
  if (fd < 0) throw_errno(what);
  return fd;
}

void add_to_epoll(int epoll_fd, int fd, uint64_t tag) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = tag;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) throw_errno("epoll_ctl");
}

}  // namespace

Loop::Loop(long timeout_ms) : timeout_ms_(timeout_ms) {
  global_init();
  epoll_fd_ = checked(epoll_create1(EPOLL_CLOEXEC), "epoll_create1");
  wake_fd_ = checked(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), "eventfd");
  add_to_epoll(epoll_fd_, wake_fd_, kWakeTag);
}

Loop::~Loop() {
  for (auto &[easy, transfer] : active_) {
    curl_multi_remove_handle(shards_[transfer->shard]->multi, easy);
    curl_easy_cleanup(easy);
  }
  for (CURL *easy : spare_) curl_easy_cleanup(easy);
  // Before the descriptors: cleanup may still call on_socket to unwatch.
  for (auto &shard : shards_) curl_multi_cleanup(shard->multi);
  for (auto &shard : shards_) close(shard->timer_fd);
  for (int fd : {wake_fd_, epoll_fd_})
    if (fd >= 0) close(fd);
}

Loop::Shard &Loop::least_busy() {
  Shard *best = nullptr;
  for (auto &shard : shards_)
    if (best == nullptr || shard->active < best->active) best = shard.get();
  if (best != nullptr && best->active < kShardCapacity) return *best;

  auto shard = std::make_unique<Shard>();
  shard->loop = this;
  shard->index = shards_.size();
  shard->timer_fd =
      checked(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC), "timerfd_create");
  add_to_epoll(epoll_fd_, shard->timer_fd, kTimerTag | shard->index);
  shard->multi = curl_multi_init();
  if (shard->multi == nullptr) {
    close(shard->timer_fd);
    throw std::bad_alloc();
  }
  curl_multi_setopt(shard->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(shard->multi, CURLMOPT_SOCKETDATA, shard.get());
  curl_multi_setopt(shard->multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(shard->multi, CURLMOPT_TIMERDATA, shard.get());
  shards_.push_back(std::move(shard));
  return *shards_.back();
}

Loop::Id Loop::get(const std::string &url, Done done) {
  Shard &shard = least_busy();
  CURL *easy = nullptr;
  if (spare_.empty()) {
    easy = curl_easy_init();
    if (easy == nullptr) throw std::bad_alloc();
  } else {
    easy = spare_.back();
    spare_.pop_back();
  }
  auto transfer = std::make_unique<Transfer>();
  transfer->exchange.prepare(easy, url, timeout_ms_);
  transfer->done = std::move(done);
  transfer->start = std::chrono::steady_clock::now();
  transfer->shard = shard.index;
  const Id id = transfer->id = next_id_++;
  active_.emplace(easy, std::move(transfer));
  // The multi handle calls on_timer with 0 here; the transfer starts on the
  // next run_once(), never inside this call.
  if (curl_multi_add_handle(shard.multi, easy) != CURLM_OK) {
    active_.erase(easy);
    spare_.push_back(easy);
    throw std::runtime_error("libcurl: could not add a transfer to the multi handle");
  }
  ++shard.active;
  by_id_.emplace(id, easy);
  return id;
}

bool Loop::cancel(Id id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return false;
  CURL *easy = it->second;
  by_id_.erase(it);
  auto node = active_.extract(easy);
  Shard &shard = *shards_[node.mapped()->shard];
  curl_multi_remove_handle(shard.multi, easy);
  --shard.active;
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);  // the exchange owning it is gone
  spare_.push_back(easy);
  return true;
}

void Loop::after(double ms, std::function<void()> fn) {
  const auto due = std::chrono::steady_clock::now() +
                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                       std::chrono::duration<double, std::milli>(ms));
  timers_.emplace(TimerKey{due, timers_set_++}, std::move(fn));
}

int Loop::wait_limit(int timeout_ms) const {
  if (timers_.empty()) return timeout_ms;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(timers_.begin()->first.first -
                                                                 std::chrono::steady_clock::now())
                        .count();
  const int until_timer = static_cast<int>(std::max<long long>(0, left));
  return timeout_ms < 0 ? until_timer : std::min(timeout_ms, until_timer);
}

void Loop::run_timers() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::function<void()>> due;
  while (!timers_.empty() && timers_.begin()->first.first <= now)
    due.push_back(std::move(timers_.extract(timers_.begin()).mapped()));
  for (auto &fn : due) fn();
}

void Loop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(fn));
  }
  const uint64_t one = 1;
  // A full counter (never in practice) still leaves the fd readable: no lost wake-up.
  [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
}

void Loop::run_once(int timeout_ms) {
  bool timeout_now = false;
  for (auto &shard : shards_) timeout_now = timeout_now || shard->timeout_now;
  epoll_event events[256];
  // A shard wants an immediate timeout (every new transfer does): look at the
  // sockets without waiting, then let it act.
  const int n = epoll_wait(epoll_fd_, events, 256, timeout_now ? 0 : wait_limit(timeout_ms));
  if (n < 0) {
    if (errno == EINTR) return;
    throw_errno("epoll_wait");
  }
  uint64_t drained = 0;
  for (int i = 0; i < n; ++i) {
    const uint64_t tag = events[i].data.u64;
    if (tag & kTimerTag) {
      Shard &shard = *shards_[tag & ~kTimerTag];
      [[maybe_unused]] auto r = read(shard.timer_fd, &drained, sizeof drained);
      on_timer_fired(shard);
    } else if (tag & kWakeTag) {
      [[maybe_unused]] auto r = read(wake_fd_, &drained, sizeof drained);
    } else {
      const uint32_t e = events[i].events;
      act(*shards_[tag >> 32], static_cast<int>(tag & 0xffffffffu),
          ((e & EPOLLIN) ? CURL_CSELECT_IN : 0) | ((e & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
              ((e & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0));
    }
  }
  for (auto &shard : shards_)
    if (shard->timeout_now) {
      shard->timeout_now = false;
      act(*shard, CURL_SOCKET_TIMEOUT, 0);
    }
  finish_transfers();
  run_timers();
  run_posted();
}

int Loop::on_socket(CURL *, int fd, int what, void *shard, void *socket_state) {
  auto *s = static_cast<Shard *>(shard);
  s->loop->watch(*s, fd, what, socket_state != nullptr);
  return 0;
}

int Loop::on_timer(CURLM *, long timeout_ms, void *shard) {
  auto *s = static_cast<Shard *>(shard);
  s->loop->arm_timer(*s, timeout_ms);
  return 0;
}

// Keeps epoll's interest in `fd` equal to what libcurl asks for.
void Loop::watch(Shard &shard, int fd, int what, bool known) {
  if (what == CURL_POLL_REMOVE) {
    // The socket may already be closed, which removed it from epoll: ignore errors.
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    curl_multi_assign(shard.multi, fd, nullptr);
    return;
  }
  epoll_event ev{};
  ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
  ev.data.u64 = socket_tag(shard.index, fd);
  if (epoll_ctl(epoll_fd_, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) != 0) {
    // A descriptor number reused after close: what epoll held is stale.
    epoll_ctl(epoll_fd_, known ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
  }
  if (!known) curl_multi_assign(shard.multi, fd, this);  // any non-null marks "in epoll"
}

// libcurl announces its earliest deadline after nearly every step. A zero
// timeout is a flag for run_once (never acted on from inside libcurl's
// callback). A deadline later than the one armed is left alone: the timer
// fires early and on_timer_fired() asks libcurl for the true one. So the
// timerfd is re-armed only when a deadline moves earlier — not once per
// transfer, which cost a syscall each.
void Loop::arm_timer(Shard &shard, long timeout_ms) {
  if (timeout_ms == 0) {
    shard.timeout_now = true;
    return;
  }
  if (timeout_ms < 0) return;  // no deadline: an armed timer only fires early
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  if (shard.timer_armed && deadline >= shard.timer_deadline) return;
  itimerspec spec{};
  spec.it_value.tv_sec = timeout_ms / 1000;
  spec.it_value.tv_nsec = (timeout_ms % 1000) * 1'000'000;
  timerfd_settime(shard.timer_fd, 0, &spec, nullptr);
  shard.timer_armed = true;
  shard.timer_deadline = deadline;
}

void Loop::on_timer_fired(Shard &shard) {
  shard.timer_armed = false;
  act(shard, CURL_SOCKET_TIMEOUT, 0);
  long next_ms = -1;
  curl_multi_timeout(shard.multi, &next_ms);
  arm_timer(shard, next_ms);  // libcurl does not announce a deadline it thinks we hold
}

void Loop::act(Shard &shard, int fd, int curl_events) {
  int running = 0;
  curl_multi_socket_action(shard.multi, fd, curl_events, &running);
}

// The one place transfers end: collect the finished ones first, then run
// their callbacks, which may start new transfers.
void Loop::finish_transfers() {
  std::vector<std::pair<std::unique_ptr<Transfer>, Response>> finished;
  for (auto &shard : shards_) {
    int queued = 0;
    while (CURLMsg *msg = curl_multi_info_read(shard->multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL *easy = msg->easy_handle;
      const CURLcode rc = msg->data.result;
      curl_multi_remove_handle(shard->multi, easy);
      --shard->active;
      auto node = active_.extract(easy);
      auto &transfer = node.mapped();
      by_id_.erase(transfer->id);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                                  transfer->start)
                            .count();
      Response response = transfer->exchange.finish(easy, rc, ms);
      spare_.push_back(easy);
      finished.emplace_back(std::move(transfer), std::move(response));
    }
  }
  for (auto &[transfer, response] : finished) transfer->done(std::move(response));
}

void Loop::run_posted() {
  std::vector<std::function<void()>> due;
  {
    std::lock_guard lock(posted_mutex_);
    due.swap(posted_);
  }
  for (auto &fn : due) fn();
}

}  // namespace concur::http
