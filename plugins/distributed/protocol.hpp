// How the coordinator and its workers meet in Redis (docs/architecture.md,
// "Distributed"). One run's keys, all under concur:run:<id>:
//   info     hash: desc (the run's description, host's describe_run), threads,
//            lease_ms. It exists while the run does: workers join a run by it.
//   tasks    stream of pages to do, read by the consumer group "workers"
//            (each entry to one worker; unacknowledged ones are the leases)
//   results  stream of outcomes, read by the coordinator: p (task number),
//            w (worker), o (outcome bytes), e (why a task was refused: o is
//            empty); or a worker's refused=<why> (it will not serve the run)
// and concur:runs, a stream of run ids announced (the newest few kept), which
// idle workers wait on.
#pragma once

#include <string>
#include <string_view>

namespace concur::distributed {

inline constexpr std::string_view kRuns = "concur:runs";
inline constexpr std::string_view kGroup = "workers";

struct Keys {
  explicit Keys(std::string run) : run(std::move(run)) {}
  std::string run;
  std::string info() const { return prefix() + "info"; }
  std::string tasks() const { return prefix() + "tasks"; }
  std::string results() const { return prefix() + "results"; }

 private:
  std::string prefix() const { return "concur:run:" + run + ":"; }
};

// What the worker side needs beyond the host's run description.
struct WorkerPlan {
  int threads = 4;      // fetching threads per worker process
  int lease_ms = 5000;  // an unacknowledged page older than this is requeued
};

}  // namespace concur::distributed
