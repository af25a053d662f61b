// fibers: gevent's model — stackful green threads on one OS thread. Each
// fiber's code reads as blocking calls (take, fetch, solve, complete, as in
// the threads plugin); "blocking" here means: start the work, then switch to
// the hub. The hub runs ready fibers and otherwise waits in the host's event
// loop, whose callbacks make fibers ready again. Stacks come from
// Boost.Context (one mmap'ed stack with a guard page per fiber).
//
// As in gevent, CPU work is the catch: with `cpu_offload: false` a fiber that
// solves a puzzle holds the only thread, and every other fiber — and every
// fetch in flight — waits. `cpu_offload: true` sends puzzles to a pool of OS
// threads (gevent's threadpool) and the fiber waits like it waits on I/O.
// `lanes` solves a page's chains together in SIMD lanes, wherever it solves;
// on the hub's thread, the puzzles of every fiber that got one in a turn of
// the loop together.
#include <concur/plugin.h>

#include <algorithm>
#include <boost/context/fiber.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <iterator>
#include <memory>
#include <thread>
#include <vector>

#include "solve_page.hpp"
#include "solver_pool.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace {

namespace ctx = boost::context;

// AddressSanitizer must be told when the stack changes under it, or it takes
// the first call on a fiber's stack for an overflow. Boost 1.74 annotates only
// its ucontext flavour, which Debian's library is not built for, so the hub
// and the fibers announce each switch themselves. Both are no-ops without ASan.
struct StackBounds {
  const void *bottom = nullptr;
  size_t size = 0;
};
#if defined(__SANITIZE_ADDRESS__)
void switch_begins(void **fake_stack, const StackBounds &to) {
  __sanitizer_start_switch_fiber(fake_stack, to.bottom, to.size);
}
void switch_ends(void *fake_stack, StackBounds *from) {
  __sanitizer_finish_switch_fiber(fake_stack, from ? &from->bottom : nullptr,
                                  from ? &from->size : nullptr);
}
// A fiber's frames die with it, poisoned: the next stack mmap'ed at the same
// address must not inherit that.
void forget_frames(const StackBounds &stack) {
  __asan_unpoison_memory_region(stack.bottom, stack.size);
}
#else
void switch_begins(void **, const StackBounds &) {}
void switch_ends(void *, StackBounds *) {}
void forget_frames(const StackBounds &) {}
#endif

// Boost's guarded stack, remembering where it is (for the switch announcements).
class RecordedStack {
 public:
  RecordedStack(size_t bytes, StackBounds &where) : inner_(bytes), where_(&where) {}
  ctx::stack_context allocate() {
    ctx::stack_context sc = inner_.allocate();
    where_->bottom = static_cast<char *>(sc.sp) - sc.size;  // sp is the top
    where_->size = sc.size;
    return sc;
  }
  void deallocate(ctx::stack_context &sc) noexcept {
    forget_frames({static_cast<char *>(sc.sp) - sc.size, sc.size});
    inner_.deallocate(sc);
  }

 private:
  ctx::protected_fixedsize_stack inner_;
  StackBounds *where_;
};

class Hub;

struct Green {
  Hub *owner = nullptr;
  ctx::fiber self;  // resumes this fiber while it is suspended
  ctx::fiber hub;   // resumes the hub while this fiber runs
  concur_status woken_with = CONCUR_OK;
  bool finished = false;
  StackBounds stack;           // this fiber's
  void *fake_stack = nullptr;  // ASan's bookkeeping while switched out
};

class Hub {
 public:
  Hub(const concur_host *host, concur_run *run, concur_worker *worker, concur_loop *loop,
      concur_plugins::SolverPool *offload, bool lanes)
      : host_(host), run_(run), worker_(worker), loop_(loop), offload_(offload), lanes_(lanes) {}

  // Runs `count` fibers to completion. False: the event loop failed.
  bool run(size_t count, size_t stack_bytes) {
    fibers_.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      auto g = std::make_unique<Green>();
      Green *raw = g.get();
      raw->owner = this;
      g->self = ctx::fiber(std::allocator_arg, RecordedStack(stack_bytes, raw->stack),
                           [this, raw](ctx::fiber &&hub) {
                             switch_ends(nullptr, &hub_stack_);
                             raw->hub = std::move(hub);
                             crawl(*raw);
                             raw->finished = true;
                             switch_begins(nullptr, hub_stack_);  // for good: no fake stack kept
                             return std::move(raw->hub);
                           });
      ready_.push_back(raw);
      fibers_.push_back(std::move(g));
    }
    live_ = count;
    while (live_ > 0) {
      while (!ready_.empty()) {
        Green *g = ready_.front();
        ready_.pop_front();
        void *hub_fake_stack = nullptr;
        switch_begins(&hub_fake_stack, g->stack);
        g->self = std::move(g->self).resume();
        switch_ends(hub_fake_stack, nullptr);
        if (g->finished) --live_;
      }
      if (live_ == 0) break;
      if (!batch_.empty()) {  // every ready fiber has run: this turn's puzzles
        blocked_s_ += batch_.flush(host_, worker_);
        continue;
      }
      if (nothing_pending()) {
        wake_all_waiting();  // a safety net: someone must try take() again
        continue;
      }
      if (host_->loop_run(loop_, -1) != CONCUR_OK) return false;
    }
    host_->metric(run_, "in_flight_high_water", static_cast<double>(high_water_),
                  CONCUR_METRIC_MAX);
    host_->metric(run_, "loop_blocked_s", blocked_s_, CONCUR_METRIC_ADD);
    if (batch_.batches() > 0)
      host_->metric(run_, "lanes_batches", static_cast<double>(batch_.batches()),
                    CONCUR_METRIC_ADD);
    return true;
  }

 private:
  // One fiber's life: the threads plugin's loop, written the same way.
  void crawl(Green &g) {
    for (;;) {
      concur_task *task = nullptr;
      const concur_status s = host_->take(worker_, &task, 0);
      if (s == CONCUR_AGAIN) {  // pages in flight may bring links: wait for one
        waiting_.push_back(&g);
        suspend(g);
        continue;
      }
      if (s != CONCUR_OK) break;
      high_water_ = std::max(high_water_, ++pages_in_flight_);
      wake_one_waiting();  // there may be more where this one came from
      if (fetch(g, task) == CONCUR_OK && host_->interpret(worker_, task) == CONCUR_OK)
        solve(g, task);
      host_->complete(worker_, task);
      --pages_in_flight_;
      wake_one_waiting();  // the page may have queued new links
    }
    wake_all_waiting();  // finished: let every waiter see it
  }

  concur_status fetch(Green &g, concur_task *task) {
    if (host_->fetch_start(loop_, task, wake, &g) != CONCUR_OK) return CONCUR_PAGE_FAILED;
    suspend(g);
    return g.woken_with;
  }

  void solve(Green &g, concur_task *task) {
    const size_t units = host_->work_count(task);
    if (units == 0) return;
    if (offload_ != nullptr) {
      ++offloaded_;
      offload_->solve(task, wake, &g);
      suspend(g);
      --offloaded_;
      return;
    }
    if (lanes_) {  // solved with the turn's other puzzles, when every ready fiber has run
      batch_.park(task, wake, &g);
      suspend(g);
      return;
    }
    // gevent without a threadpool: the hub's thread does the CPU work.
    const auto start = std::chrono::steady_clock::now();
    concur_plugins::solve_page(host_, worker_, task, false);
    blocked_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  // Switches to the hub; returns when a callback has made `g` ready again.
  void suspend(Green &g) {
    switch_begins(&g.fake_stack, hub_stack_);
    g.hub = std::move(g.hub).resume();
    switch_ends(g.fake_stack, &hub_stack_);
  }

  // A host callback (on the hub's thread, inside loop_run): `g` may run again.
  static void wake(void *user, concur_status status) {
    auto *g = static_cast<Green *>(user);
    g->woken_with = status;
    g->owner->ready_.push_back(g);
  }

  // One waiter at a time: a woken fiber that gets a page wakes the next one, so
  // a completion costs O(1) however many fibers are idle.
  void wake_one_waiting() {
    if (waiting_.empty()) return;
    ready_.push_back(waiting_.front());
    waiting_.pop_front();
  }

  void wake_all_waiting() {
    ready_.insert(ready_.end(), waiting_.begin(), waiting_.end());
    waiting_.clear();
  }

  bool nothing_pending() const {
    return ready_.empty() && host_->loop_in_flight(loop_) == 0 && offloaded_ == 0;
  }

  const concur_host *host_;
  concur_run *run_;
  concur_worker *worker_;
  concur_loop *loop_;
  concur_plugins::SolverPool *offload_;
  const bool lanes_;  // a turn's puzzles in SIMD lanes, on the hub's thread
  concur_plugins::InlineBatch batch_;
  std::vector<std::unique_ptr<Green>> fibers_;
  std::deque<Green *> ready_, waiting_;
  size_t live_ = 0, offloaded_ = 0, pages_in_flight_ = 0, high_water_ = 0;
  StackBounds hub_stack_;  // the thread's own stack, learnt at the first switch
  double blocked_s_ = 0;
};

int run(const concur_host *host, concur_run *run, char *err, size_t err_size) {
  const auto count = static_cast<size_t>(host->option_int(run, "fibers"));
  const auto stack_bytes = static_cast<size_t>(host->option_int(run, "stack_kb")) * 1024;
  const bool lanes = host->option_bool(run, "lanes");
  if (const char *why = concur_plugins::lanes_refusal(host, lanes)) {
    std::snprintf(err, err_size, "%s", why);
    return 1;
  }
  concur_worker *worker = host->worker_open(run);
  concur_loop *loop = worker ? host->loop_open(worker) : nullptr;
  if (loop == nullptr) {  // the run was aborted before it began
    host->worker_close(worker);
    return 0;
  }
  std::unique_ptr<concur_plugins::SolverPool> offload;
  if (host->option_bool(run, "cpu_offload"))
    offload = std::make_unique<concur_plugins::SolverPool>(
        host, run, loop, std::max(1u, std::thread::hardware_concurrency()), lanes);
  int rc = 0;
  if (offload && !offload->usable()) {
    std::snprintf(err, err_size, "could not start the cpu_offload threads");
    rc = 1;
  } else {
    Hub hub(host, run, worker, loop, offload.get(), lanes);
    if (!hub.run(count, stack_bytes)) {
      std::snprintf(err, err_size, "the event loop failed");
      rc = 1;
    }
  }
  if (offload && lanes && offload->batches() > 0)
    host->metric(run, "lanes_batches", static_cast<double>(offload->batches()), CONCUR_METRIC_ADD);
  offload.reset();
  host->loop_close(loop);
  host->worker_close(worker);
  return rc;
}

const concur_option_spec kOptions[] = {
    {.name = "fibers",
     .type = CONCUR_OPT_INT,
     .default_value = "100",
     .help = "green threads crawling at once (pages in flight)",
     .min = 1,
     .max = 100000},
    {.name = "stack_kb",
     .type = CONCUR_OPT_INT,
     .default_value = "64",
     .help = "stack of each fiber, KiB (a guard page is added)",
     .min = 16,
     .max = 8192},
    {.name = "cpu_offload",
     .type = CONCUR_OPT_BOOL,
     .default_value = "false",
     .help = "solve puzzles on a thread pool (true) or on the hub's thread, stalling every fiber "
             "(false)",
     CONCUR_UNBOUNDED},
    {.name = "lanes",
     .type = CONCUR_OPT_BOOL,
     .default_value = "false",
     .help = "solve md5 chains together in SIMD lanes: on the hub, every puzzle that arrived "
             "in one turn of the loop; on a cpu_offload thread, a page's chains, and queued "
             "pages of its size when there is a backlog",
     CONCUR_UNBOUNDED},
};

const concur_plugin kDescriptor = {
    CONCUR_PLUGIN_INIT,  // abi_version and struct_size
    .name = "fibers",
    .version = "1.0",
    .description = "gevent's model: stackful green threads on one thread, switched on I/O",
    .options = kOptions,
    .option_count = std::size(kOptions),
    .run = run,
};

}  // namespace

extern "C" CONCUR_EXPORT const concur_plugin *concur_plugin_entry(void) {
  return &kDescriptor;
}
