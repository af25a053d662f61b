// The demo server's HTTP side (PROTOCOL.md, "Endpoints" and "Behaviour under
// load"): event-driven, one I/O thread; a delayed answer costs a timer, never a
// thread. Embedded in `concur run` or standalone as `concur serve`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "server/graph.hpp"

namespace concur::server {

class Startup;

class Server {
 public:
  // A server of this graph: ready as soon as it starts.
  explicit Server(std::shared_ptr<const Graph> graph);
  // A server that listens before its graph exists (`concur serve`): once
  // started it answers every request 503, with a Retry-After and `startup`'s
  // progress, until serve() hands it the graph built from `settings`.
  Server(const Settings &settings, std::shared_ptr<const Startup> startup);
  ~Server();  // stops if running
  Server(const Server &) = delete;
  Server &operator=(const Server &) = delete;

  // Binds settings.host:settings.port (0: ephemeral) and starts the I/O thread.
  // Throws std::runtime_error naming the address when binding fails.
  void start();
  // Stops accepting, closes every connection, joins the I/O thread. Idempotent.
  void stop();

  // Any thread, before or after start(): from the next request on, answers
  // from `graph` (built from the settings given). Renders the pages here, so
  // the I/O thread only swaps them in. Once.
  void serve(std::shared_ptr<const Graph> graph);
  bool ready() const;

  int port() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT"

  // Forgets per-page request counts (which drive failure outcomes), so every
  // run of an experiment meets the same failures.
  void reset_request_counts();

  // What the server saw of each page (graph index) since the last reset: the
  // requests that reached it and those answered 200. Any thread.
  struct PageCounts {
    std::vector<uint32_t> requests, ok;
  };
  PageCounts page_counts() const;
  const Graph &graph() const;

  // CPU time used by the server's I/O thread so far, split as getrusage
  // splits it (user/sys from tick samples; the runner uses it for the ratio).
  struct Usage {
    double user_s = 0;
    double sys_s = 0;
  };
  Usage thread_usage() const;
  // The I/O thread's run time so far, in seconds, read without disturbing the
  // thread: the kernel's per-thread total (/proc/self/task/TID/schedstat),
  // the very figure the process's CPU clock sums for a thread other than the
  // caller, so the runner can subtract it from that clock exactly.
  double thread_runtime_s() const;

  // A snapshot of the connection counters that /metrics shows too.
  struct Stats {
    uint64_t open = 0;
    uint64_t peak = 0;  // most open at once since the server was made
    uint64_t accepted = 0;
    uint64_t timed_out = 0;
    uint64_t in_flight = 0;
    uint64_t answered = 0;  // responses written, every path and status
  };
  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace concur::server
