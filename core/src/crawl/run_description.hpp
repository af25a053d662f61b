// A run as a worker process on another host needs it (the distributed
// strategy, `concur worker`): what fetching, interpreting and solving a task
// depend on — the server, its puzzles, the fetch policy, a compute
// experiment's tasks, the GIL. Not the frontier, the hooks or the counters:
// those stay with the coordinator, which completes every task.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

#include "crawl/crawl_run.hpp"

namespace concur::crawl {

class DescriptionError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// CBOR bytes, versioned ("concur-run/1"). `started` is the coordinator's run
// clock: a worker on the same machine (same boot) starts its own there.
std::string describe_run(const CrawlSettings &settings,
                         std::chrono::steady_clock::time_point started);

// The settings a worker's run is made from (worker_only). Throws
// DescriptionError when the bytes are not a description this build reads.
CrawlSettings settings_from_description(std::string_view bytes);

}  // namespace concur::crawl
