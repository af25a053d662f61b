// The few coroutine pieces async needs, single-threaded by design: everything
// here is touched only on the loop's thread, so nothing is locked.
//   Spawned    a fire-and-forget coroutine (asyncio.create_task): it starts at
//              once and frees itself when it returns.
//   Semaphore  asyncio.Semaphore: acquire() suspends while no slot is free.
//   Signal     wakes every coroutine waiting on it (asyncio.Event, re-armed).
#pragma once

#include <coroutine>
#include <cstddef>
#include <deque>
#include <exception>
#include <vector>

namespace concur_async {

struct Spawned {
  struct promise_type {
    Spawned get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    // Host calls return codes, never throw; an exception here is a bug.
    void unhandled_exception() noexcept { std::terminate(); }
  };
};

class Semaphore {
 public:
  explicit Semaphore(size_t slots) : free_(slots) {}

  auto acquire() {
    struct Awaiter {
      Semaphore &s;
      bool await_ready() const noexcept {
        if (s.free_ == 0) return false;
        --s.free_;
        return true;
      }
      void await_suspend(std::coroutine_handle<> h) { s.waiting_.push_back(h); }
      void await_resume() const noexcept {}
    };
    return Awaiter{*this};
  }

  // Hands the slot straight to the longest waiter, if any.
  void release() {
    if (waiting_.empty()) {
      ++free_;
      return;
    }
    auto next = waiting_.front();
    waiting_.pop_front();
    next.resume();
  }

 private:
  size_t free_;
  std::deque<std::coroutine_handle<>> waiting_;
};

class Signal {
 public:
  auto wait() {
    struct Awaiter {
      Signal &s;
      bool await_ready() const noexcept { return false; }
      void await_suspend(std::coroutine_handle<> h) { s.waiting_.push_back(h); }
      void await_resume() const noexcept {}
    };
    return Awaiter{*this};
  }

  void notify_all() {
    std::vector<std::coroutine_handle<>> woken;
    woken.swap(waiting_);
    for (auto h : woken) h.resume();
  }

 private:
  std::vector<std::coroutine_handle<>> waiting_;
};

}  // namespace concur_async
