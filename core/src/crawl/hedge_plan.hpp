// `hedge: auto`: how many copies each attempt of a page sends, so that the
// pages whose retries would stretch the crawl's critical path get copies and
// the others do not.
//
// A failure page answers 500 with probability f per request. With the whole
// graph (`/api/cheat/`) and each type's delay, a page's *slack* is how much
// later than its earliest finish it may finish without delaying any page
// discovered through it: the critical path less the longest shortest-path
// finish in its discovery subtree. In rounds (one failure page's delay each),
// a page with k rounds of slack still has m = k - (attempt - 1) rounds left at
// an attempt, and that attempt sends the fewest copies h with
//     f^(h (m + 1)) <= epsilon,
// as if every remaining round sent h: one copy while slack is plenty, more as
// it runs out (the most, kMaxCopies, once it has). The decision is made again
// at every attempt, so a page that fails often escalates only as late as it
// can; epsilon = kStretchBudget / failure pages.
//
// Without the graph (max_pages set, or a server without `/api/cheat/`), and for
// pages that are not failure pages, a page has the rounds with which one copy
// per attempt meets epsilon (kEpsilonWithoutGraph without the graph): its
// first attempt sends one copy, later ones more as they fail (at f = 0.9: two
// from the second attempt, three from the 16th).
#pragma once

#include <string>
#include <unordered_map>

#include "results/lower_bound.hpp"

namespace concur::crawl {

// PROTOCOL.md: a failure page's chance to answer 500, for a server that does
// not say its own.
inline constexpr double kProtocolFailureRate = 0.9;

class HedgePlan {
 public:
  static constexpr int kMaxCopies = 16;
  static constexpr double kStretchBudget = 5;
  static constexpr double kEpsilonWithoutGraph = 0.05;

  // `delay_s`: seconds each page type takes to answer (a type not named
  // costs `other_s`); `failure_rate`: a failure page's chance to answer 500.
  static HedgePlan from_graph(const results::KnownGraph &graph, const std::string &start,
                              const std::unordered_map<std::string, double> &delay_s,
                              double other_s, double failure_rate);
  static HedgePlan without_graph(double failure_rate);

  // Copies to send for attempt `attempt` (1 = the first) of `page`.
  int copies(const std::string &page, int attempt) const;

  // For the run's log line.
  size_t failure_pages() const { return slack_rounds_.size(); }
  double critical_path_s() const { return critical_path_s_; }
  // Failure pages hedged from their first attempt (slack under a few rounds).
  size_t hedged_from_start() const;

 private:
  explicit HedgePlan(double failure_rate);
  int copies_with(int rounds_left) const;
  void set_epsilon(double epsilon);

  double failure_rate_;
  double epsilon_ = kEpsilonWithoutGraph;
  int default_rounds_ = 0;
  double critical_path_s_ = 0;
  std::unordered_map<std::string, int> slack_rounds_;  // failure pages of the graph
};

}  // namespace concur::crawl
