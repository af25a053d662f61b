#include "script/gil.hpp"

#include <unistd.h>
#include <lua.hpp>

#include <chrono>

namespace concur::script {
namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The GIL whose Lua code this thread is running (set by Gil::attach).
thread_local Gil *current_gil = nullptr;

void count_hook(lua_State *, lua_Debug *) {
  if (current_gil != nullptr) current_gil->maybe_switch();
}

}  // namespace

Gil::Gil(double switch_interval_s) : interval_s_(switch_interval_s), owner_pid_(::getpid()) {}

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
  }
  const uint64_t ticket = next_ticket_++;
  tickets_out_ = next_ticket_;
  turn_.wait(lock, [&] { return now_serving_.load() == ticket; });
  held_since_s_ = now_s();
  ++running_;
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
  current_gil = gil;
  lua_sethook(L, gil ? count_hook : nullptr, gil ? LUA_MASKCOUNT : 0, 1000);
}

}  // namespace concur::script
