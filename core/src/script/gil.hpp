// A simulated global interpreter lock, for the course's lesson: with `gil:
// true` a compute experiment's Lua kernels run one at a time, as Python code
// does under CPython's GIL, while native kernels (and I/O) run without it.
// Threads then show no CPU speedup on Lua kernels; processes, each with a GIL
// of its own, do.
//
// Like CPython's (since 3.2) it is handed over on request: a thread that has
// held it for the switch interval (default 5 ms, sys.getswitchinterval())
// while another waits gives it up at its next check, which Lua's count hook
// makes every 1,000 instructions. Waiters are served in arrival order.
#pragma once

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
  // From Lua's count hook, with the GIL held: hands it over when the interval
  // has passed and another thread waits.
  void maybe_switch();

  // Threads running Lua under this GIL right now: a kernel that ever sees
  // more than 1 has caught two running at once (concur.running_kernels()).
  int running() const { return running_.load(); }
  long switches() const { return switches_.load(); }

  // Installs the count hook on a state whose Lua code runs under `gil` on
  // this thread (kernels call it before every call; null removes it).
  static void attach(lua_State *L, Gil *gil);

 private:
  double interval_s_;
  std::mutex mutex_;
  std::condition_variable turn_;
  uint64_t next_ticket_ = 0;              // guarded by mutex_
  std::atomic<uint64_t> now_serving_{0};  // the holder's ticket
  std::atomic<uint64_t> tickets_out_{0};  // next_ticket_, readable without the lock
  std::atomic<int> running_{0};
  std::atomic<long> switches_{0};
  double held_since_s_ = 0;  // written by the holder only
  int owner_pid_;            // a forked child starts with a GIL of its own
};

}  // namespace concur::script
