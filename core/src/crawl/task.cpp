#include "crawl/task.hpp"

#include <unistd.h>

namespace concur::crawl {
namespace {

template <typename Container>
void append(Container &to, Container &from) {
  if (to.empty()) {  // the first worker to close (the only one, for a one-loop strategy): no copy
    to = std::move(from);
    return;
  }
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  from = {};  // its memory back before the next worker's samples arrive
}

}  // namespace

Worker::Worker(int id, long timeout_ms)
    : id_(id), owner_pid_(::getpid()), timeout_ms_(timeout_ms), client_(timeout_ms) {}

http::Loop &Worker::loop() {
  if (!loop_) loop_ = std::make_unique<http::Loop>(timeout_ms_);
  return *loop_;
}

void Worker::adopt_if_forked() {
  if (owner_pid_ == ::getpid()) return;
  owner_pid_ = ::getpid();
  adopted_ = true;
  stats_ = WorkerStats{};
  // A loop made before the fork shares its epoll instance with the parent:
  // closing it here would unregister the parent's sockets. Leave it be.
  if (loop_) (void)loop_.release();
}

// A child always adopts its copy (receive_task) before it fetches: no getpid()
// per request, which is a system call.
script::LuaKernels &Worker::lua_kernels(const std::string &file, script::Gil *gil) {
  auto &kernels = lua_kernels_[file];
  if (!kernels) kernels = std::make_unique<script::LuaKernels>(file, gil);
  return *kernels;
}

bool Worker::forked() const {
  return adopted_;
}

void WorkerStats::add(WorkerStats &&s) {
  requests += s.requests;
  retries += s.retries;
  hedged += s.hedged;
  cancelled += s.cancelled;
  give_ups += s.give_ups;
  connect_failures += s.connect_failures;
  for (const auto &[kind, count] : s.failures) failures[kind] += count;
  pages_ok += s.pages_ok;
  pages_failed += s.pages_failed;
  solves += s.solves;
  solve_s += s.solve_s;
  connections += s.connections;
  append(latencies_ms, s.latencies_ms);
  append(pages, s.pages);
  append(events, s.events);
}

}  // namespace concur::crawl
