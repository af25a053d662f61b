// Earliest finishes through a known graph (`/api/cheat/`): what the crawl
// planners (hedge_plan.hpp, solve_order.hpp) read a page's place from.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>

#include "results/lower_bound.hpp"

namespace concur::crawl {

struct GraphPaths {
  // The latest earliest-finish of any page reached from the start.
  double critical_path_s = 0;
  // Per page reached: the latest earliest-finish in its discovery subtree,
  // itself included. The critical path less it is the page's slack: how much
  // later it may finish without delaying any page found through it.
  std::unordered_map<std::string, double> subtree_finish_s;
};

// Dijkstra from `start`, each page costing `cost(page)` seconds when it is
// reached (its answer, and whatever else it takes before its links are
// known); a page is discovered through the page that reaches it first.
GraphPaths graph_paths(const results::KnownGraph &graph, const std::string &start,
                       const std::function<double(const std::string &page)> &cost);

}  // namespace concur::crawl
