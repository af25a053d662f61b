// A simulated global interpreter lock, for the course's lesson: with `gil:
// true` a compute experiment's Lua kernels run one at a time, as Python code
// does under CPython's GIL, while native kernels (and I/O) run without it.
// Threads then show no CPU speedup on Lua kernels; processes, each with a GIL
// of its own, do.
//
// Like CPython's (since 3.2) it is handed over on request, and costs nothing
// while nobody asks: the holder runs Lua with no hook at all. The next thread
// in line waits out the switch interval (default 5 ms,
// sys.getswitchinterval()) from the moment the holder took the GIL, then asks
// for it with a signal to the holder's thread; the handler sets a one-shot
// count hook on the Lua state that thread runs (lua_sethook is meant to be
// called from a signal handler: lua.c stops a script on Ctrl-C so), and the
// hook, at the next instruction, hands the GIL over. Waiters are served in
// arrival order.
#pragma once

#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

struct lua_State;

namespace concur::script {

class Gil {
 public:
  explicit Gil(double switch_interval_s = 0.005);

  void acquire();
  void release();
  // With the GIL held: hands it over when the interval has passed and another
  // thread waits (the switch hook calls it; so may any holder).
  void maybe_switch();

  // Threads running Lua under this GIL right now: a kernel that ever sees
  // more than 1 has caught two running at once (concur.running_kernels()).
  int running() const { return running_.load(); }
  long switches() const { return switches_.load(); }

  // Names the Lua state this thread runs under `gil`, so that a request for
  // the GIL can reach it (kernels call it once they hold the GIL; null, before
  // they release it, forgets the state and removes any pending hook).
  static void attach(lua_State *L, Gil *gil);

 private:
  void wait_turn(std::unique_lock<std::mutex> &lock, uint64_t ticket);

  double interval_s_;
  std::mutex mutex_;
  std::condition_variable turn_;
  uint64_t next_ticket_ = 0;              // guarded by mutex_
  std::atomic<uint64_t> now_serving_{0};  // the holder's ticket
  std::atomic<uint64_t> tickets_out_{0};  // next_ticket_, readable without the lock
  std::atomic<int> running_{0};
  std::atomic<long> switches_{0};
  // Of the holder, guarded by mutex_; valid while holder_ticket_ is the
  // ticket being served (a thread woken for its turn sets them, so a waiter
  // never asks a thread that has already moved on).
  double held_since_s_ = 0;
  pthread_t holder_{};
  uint64_t holder_ticket_ = UINT64_MAX;
  int owner_pid_;  // a forked child starts with a GIL of its own
};

}  // namespace concur::script
