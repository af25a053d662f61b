#include "script/gil.hpp"

#include <unistd.h>
#include <csignal>
#include <lua.hpp>

#include <cerrno>
#include <chrono>

namespace concur::script {
namespace {

// The switch request. SIGURG, as Go's scheduler uses it to preempt: ignored by
// default, so a stray one harms nothing, and nothing else here uses it.
constexpr int kSwitchSignal = SIGURG;

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::chrono::steady_clock::time_point at(double seconds) {
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(seconds)));
}

// The GIL whose Lua code this thread is running, and that code's state (set
// by Gil::attach). The state is read by the signal handler: a lock-free atomic
// of a thread_local in the executable (concur_core is a static library, so
// its TLS is initial-exec: no allocation on first touch).
thread_local Gil *current_gil = nullptr;
thread_local std::atomic<lua_State *> turn_state{nullptr};

// One-shot: it removes itself, so Lua runs hook-free again after the switch.
void switch_hook(lua_State *L, lua_Debug *) {
  lua_sethook(L, nullptr, 0, 0);
  if (current_gil != nullptr) current_gil->maybe_switch();
}

// On the holder's thread, interrupting whatever it runs: only arm the hook
// (lua_sethook is safe here, see ldebug.c) — the hook does the switching, at
// an instruction boundary. A thread that is not running Lua under a GIL
// (it has just released it) ignores the request.
void on_switch_request(int) {
  const int saved = errno;
  if (lua_State *L = turn_state.load(std::memory_order_relaxed))
    lua_sethook(L, switch_hook, LUA_MASKCOUNT, 1);
  errno = saved;
}

void install_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action {};
    action.sa_handler = on_switch_request;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // a request must not fail the holder's system calls
    sigaction(kSwitchSignal, &action, nullptr);
  });
}

}  // namespace

Gil::Gil(double switch_interval_s) : interval_s_(switch_interval_s), owner_pid_(::getpid()) {
  install_handler();
}

void Gil::acquire() {
  std::unique_lock lock(mutex_);
  if (owner_pid_ != ::getpid()) {
    // A copy inherited through fork(): the parent's waiters and holder are
    // not in this process. Start afresh, as a child interpreter would.
    owner_pid_ = ::getpid();
    next_ticket_ = 0;
    now_serving_ = 0;
    tickets_out_ = 0;
    running_ = 0;
    holder_ticket_ = UINT64_MAX;
  }
  const uint64_t ticket = next_ticket_++;
  tickets_out_ = next_ticket_;
  wait_turn(lock, ticket);
  held_since_s_ = now_s();
  holder_ = pthread_self();
  holder_ticket_ = ticket;
  ++running_;
}

// Waits until `ticket` is served. The next in line, once the holder has held
// the GIL for the interval, asks it for the GIL, and again every interval
// while it is not handed over (a holder away from Lua, in a native call,
// switches when it is back).
void Gil::wait_turn(std::unique_lock<std::mutex> &lock, uint64_t ticket) {
  double ask_at = 0;
  uint64_t asked_holder = UINT64_MAX;
  while (now_serving_.load() != ticket) {
    const uint64_t serving = now_serving_.load();
    if (ticket != serving + 1) {
      turn_.wait(lock);
      continue;
    }
    if (holder_ticket_ != serving) {
      // The holder was woken but has not settled in (taken the lock) yet:
      // look again shortly, rather than have every holder wake every waiter.
      turn_.wait_until(lock, at(now_s() + interval_s_ / 8));
      continue;
    }
    if (asked_holder != serving) {
      asked_holder = serving;
      ask_at = held_since_s_ + interval_s_;
    }
    if (now_s() >= ask_at) {
      // holder_ has not passed release()'s lock yet: its thread is alive.
      pthread_kill(holder_, kSwitchSignal);
      ask_at = now_s() + interval_s_;
    }
    turn_.wait_until(lock, at(ask_at));
  }
}

void Gil::release() {
  --running_;
  {
    std::lock_guard lock(mutex_);
    ++now_serving_;
  }
  turn_.notify_all();
}

void Gil::maybe_switch() {
  // Someone holds a later ticket than ours: a waiter.
  const bool waiting = tickets_out_.load() > now_serving_.load() + 1;
  if (!waiting || now_s() - held_since_s_ < interval_s_) return;
  ++switches_;
  release();
  acquire();
}

void Gil::attach(lua_State *L, Gil *gil) {
  if (gil != nullptr) {
    current_gil = gil;
    turn_state.store(L, std::memory_order_relaxed);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    return;
  }
  // Forget the state before removing the hook: a request arriving in between
  // finds no state, and one arriving before is undone here.
  turn_state.store(nullptr, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  lua_sethook(L, nullptr, 0, 0);
  current_gil = nullptr;
}

}  // namespace concur::script
