// Which queued puzzle to solve first. A puzzle page hides its links until it
// is solved, so a strategy that queues puzzles (async's executor, fibers'
// cpu_offload, producer_consumer's queue) decides when those links start
// their own fetches. Solving in arrival order can leave the page that leads
// to the crawl's longest remaining work waiting behind pages that lead
// nowhere; solving the most urgent first lets that work start early.
//
// A puzzle page's urgency is the latest expected finish in its discovery
// subtree (graph_paths.hpp) — equivalently, the less slack it has, the more
// urgent it is. Costs are expected ones: each page its type's delay; a failure
// page its delay times its expected attempts ((1 - f^n) / (1 - f) for a
// failure rate f and n attempts allowed: about 1 / (1 - f) once n is large),
// since its retries are real time even though the lower bound counts one; a puzzle page its chain's
// steps at an estimate per step (a core page's chains in parallel). Only the order matters, so the
// estimate need not be this machine's figure.
//
// Without the whole graph (max_pages set, or a server without /api/cheat/)
// every page's urgency is 0: the strategies' queues stay first come, first
// served.
#pragma once

#include <string>
#include <unordered_map>

#include "crawl/page.hpp"
#include "results/lower_bound.hpp"

namespace concur::crawl {

class SolveOrder {
 public:
  // Seconds per md5 step the plan assumes (about a current x86 core's).
  static constexpr double kStepSeconds = 100e-9;

  // `delay_s`: seconds each page type takes to answer (a type not named
  // costs `other_s`); `failure_rate` and `attempts` (1 + retries) make a
  // failure page's expected cost; `puzzle`: the steps of a cpu page's chain
  // and of each of a core page's.
  static SolveOrder from_graph(const results::KnownGraph &graph, const std::string &start,
                               const std::unordered_map<std::string, double> &delay_s,
                               double other_s, double failure_rate, long attempts,
                               const PuzzleParams &puzzle);

  // Larger: solve sooner. 0 for a page the plan does not know.
  double urgency(const std::string &page) const;

  size_t puzzle_pages() const { return urgency_s_.size(); }

 private:
  std::unordered_map<std::string, double> urgency_s_;  // puzzle pages of the graph
};

}  // namespace concur::crawl
