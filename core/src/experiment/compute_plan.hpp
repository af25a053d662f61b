// A compute experiment's tasks, made from its config: the `compute:` section's
// kernels and counts, and the puzzles of the demo server's graph.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compute/items.hpp"
#include "config/experiment.hpp"

namespace concur::server {
class Graph;
}

namespace concur::experiment {

// A workload's tasks, `count` times each, in the order given. A Lua kernel's
// file is loaded once here, so a missing function is a config error before
// anything runs. `puzzles` tasks take the first pages of their types, in graph
// order, from `graph` (required when the spec takes_puzzles()), and a workload
// asking for more than the graph has is a config error.
std::shared_ptr<const std::vector<compute::ComputeItem>> compute_items(
    const config::ComputeWorkload &workload, const server::Graph *graph);

// "md5_chain x8 (2000000 iterations), puzzles x4 (cpu+core pages of seed 42)":
// the workload column.
std::string describe_compute(const config::ComputeWorkload &workload,
                             const server::Settings &server);

}  // namespace concur::experiment
