// How far a server that is still making its graph and puzzles has come, and
// the answer it gives meanwhile (PROTOCOL.md, `/health`): every route answers
// 503 with a Retry-After and this progress, so a client can tell a starting
// server from a dead one. Written by the thread that builds the graph (through
// Progress), read by the server's I/O thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

namespace concur::server {

class Startup {
 public:
  // `total` puzzles are about to be made, in about `estimate_s` of wall time.
  void making(size_t total, double estimate_s);
  void add_total(size_t more);  // a round of redraws after collisions
  void made_one();

  struct Snapshot {
    size_t made = 0;
    size_t total = 0;         // 0 until the making starts (or with nothing to make)
    double fraction = 0;      // made / total, 0..1
    double seconds_left = 0;  // estimated from the pace so far, else from the estimate
  };
  Snapshot snapshot() const;

 private:
  mutable std::mutex mutex_;
  size_t made_ = 0;
  size_t total_ = 0;
  double estimate_s_ = 0;
  std::chrono::steady_clock::time_point since_ = std::chrono::steady_clock::now();
};

// Whole seconds a client should wait before asking again: the estimate left,
// at least 1.
uint32_t retry_after_s(const Startup::Snapshot &progress);

// The JSON body of every answer while starting:
// {"status":"starting","progress":0.42,"puzzles_made":84,"puzzles_total":200,
//  "seconds_left":310,"error":"..."}.
std::string starting_body(const Startup::Snapshot &progress);

}  // namespace concur::server
