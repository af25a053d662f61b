#include "http/loop.hpp"

#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <new>
#include <stdexcept>
#include <system_error>

namespace concur::http {
namespace {

[[noreturn]] void throw_errno(const char *what) {
  throw std::system_error(errno, std::generic_category(), what);
}

int checked(int fd, const char *what) {
  if (fd < 0) throw_errno(what);
  return fd;
}

void add_to_epoll(int epoll_fd, int fd) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) throw_errno("epoll_ctl");
}

}  // namespace

Loop::Loop(long timeout_ms) : timeout_ms_(timeout_ms) {
  global_init();
  epoll_fd_ = checked(epoll_create1(EPOLL_CLOEXEC), "epoll_create1");
  timer_fd_ = checked(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC), "timerfd");
  wake_fd_ = checked(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), "eventfd");
  add_to_epoll(epoll_fd_, timer_fd_);
  add_to_epoll(epoll_fd_, wake_fd_);
  multi_ = curl_multi_init();
  if (multi_ == nullptr) throw std::bad_alloc();
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

Loop::~Loop() {
  for (auto &[easy, transfer] : active_) {
    curl_multi_remove_handle(multi_, easy);
    curl_easy_cleanup(easy);
  }
  for (CURL *easy : spare_) curl_easy_cleanup(easy);
  // Before the descriptors: cleanup may still call on_socket to unwatch.
  curl_multi_cleanup(multi_);
  for (int fd : {wake_fd_, timer_fd_, epoll_fd_})
    if (fd >= 0) close(fd);
}

void Loop::get(const std::string &url, Done done) {
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
  active_.emplace(easy, std::move(transfer));
  // The multi handle calls on_timer with 0 here; the transfer starts on the
  // next run_once(), never inside this call.
  if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
    active_.erase(easy);
    spare_.push_back(easy);
    throw std::runtime_error("libcurl: could not add a transfer to the multi handle");
  }
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
  epoll_event events[256];
  const int n = epoll_wait(epoll_fd_, events, 256, timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return;
    throw_errno("epoll_wait");
  }
  uint64_t drained = 0;
  for (int i = 0; i < n; ++i) {
    const int fd = events[i].data.fd;
    if (fd == timer_fd_) {
      [[maybe_unused]] auto r = read(timer_fd_, &drained, sizeof drained);
      act(CURL_SOCKET_TIMEOUT, 0);
    } else if (fd == wake_fd_) {
      [[maybe_unused]] auto r = read(wake_fd_, &drained, sizeof drained);
    } else {
      const uint32_t e = events[i].events;
      act(fd, ((e & EPOLLIN) ? CURL_CSELECT_IN : 0) | ((e & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
                  ((e & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0));
    }
  }
  finish_transfers();
  run_posted();
}

int Loop::on_socket(CURL *, int fd, int what, void *self, void *socket_state) {
  static_cast<Loop *>(self)->watch(fd, what, socket_state != nullptr);
  return 0;
}

int Loop::on_timer(CURLM *, long timeout_ms, void *self) {
  static_cast<Loop *>(self)->arm_timer(timeout_ms);
  return 0;
}

// Keeps epoll's interest in `fd` equal to what libcurl asks for.
void Loop::watch(int fd, int what, bool known) {
  if (what == CURL_POLL_REMOVE) {
    // The socket may already be closed, which removed it from epoll: ignore errors.
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    curl_multi_assign(multi_, fd, nullptr);
    return;
  }
  epoll_event ev{};
  ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) != 0) {
    // A descriptor number reused after close: what epoll held is stale.
    epoll_ctl(epoll_fd_, known ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
  }
  if (!known) curl_multi_assign(multi_, fd, this);  // any non-null marks "in epoll"
}

void Loop::arm_timer(long timeout_ms) {
  itimerspec spec{};
  if (timeout_ms == 0) {
    spec.it_value.tv_nsec = 1;  // as soon as possible, but from run_once, not from here
  } else if (timeout_ms > 0) {
    spec.it_value.tv_sec = timeout_ms / 1000;
    spec.it_value.tv_nsec = (timeout_ms % 1000) * 1'000'000;
  }  // -1: all zero disarms
  timerfd_settime(timer_fd_, 0, &spec, nullptr);
}

void Loop::act(int fd, int curl_events) {
  int running = 0;
  curl_multi_socket_action(multi_, fd, curl_events, &running);
}

// The one place transfers end: collect the finished ones first, then run
// their callbacks, which may start new transfers.
void Loop::finish_transfers() {
  std::vector<std::pair<std::unique_ptr<Transfer>, Response>> finished;
  int queued = 0;
  while (CURLMsg *msg = curl_multi_info_read(multi_, &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL *easy = msg->easy_handle;
    const CURLcode rc = msg->data.result;
    curl_multi_remove_handle(multi_, easy);
    auto node = active_.extract(easy);
    auto &transfer = node.mapped();
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                                transfer->start)
                          .count();
    Response response = transfer->exchange.finish(easy, rc, ms);
    spare_.push_back(easy);
    finished.emplace_back(std::move(transfer), std::move(response));
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
