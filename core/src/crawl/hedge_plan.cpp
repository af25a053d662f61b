#include "crawl/hedge_plan.hpp"

#include <algorithm>
#include <cmath>

#include "crawl/graph_paths.hpp"

namespace concur::crawl {

HedgePlan::HedgePlan(double failure_rate) : failure_rate_(failure_rate) {
  set_epsilon(kEpsilonWithoutGraph);
}

void HedgePlan::set_epsilon(double epsilon) {
  epsilon_ = epsilon;
  // The rounds with which one copy per attempt already meets epsilon.
  default_rounds_ =
      failure_rate_ > 0 && failure_rate_ < 1
          ? static_cast<int>(std::ceil(std::log(epsilon_) / std::log(failure_rate_))) - 1
          : 0;
}

HedgePlan HedgePlan::without_graph(double failure_rate) {
  return HedgePlan(failure_rate);
}

HedgePlan HedgePlan::from_graph(const results::KnownGraph &graph, const std::string &start,
                                const std::unordered_map<std::string, double> &delay_s,
                                double other_s, double failure_rate) {
  HedgePlan plan(failure_rate);
  const GraphPaths paths = graph_paths(graph, start, [&](const std::string &page) {
    const auto type = graph.types.find(page);
    if (type == graph.types.end()) return other_s;
    const auto delay = delay_s.find(type->second);
    return delay == delay_s.end() ? other_s : delay->second;
  });
  plan.critical_path_s_ = paths.critical_path_s;
  const auto failure_delay = delay_s.find("failure");
  const double round_s = failure_delay != delay_s.end() ? failure_delay->second : other_s;
  for (const auto &[page, type] : graph.types) {
    const auto subtree = paths.subtree_finish_s.find(page);
    if (type != "failure" || subtree == paths.subtree_finish_s.end()) continue;
    const double slack_s = plan.critical_path_s_ - subtree->second;
    // Failure pages that answer at once: a retry costs no time, copies buy none.
    constexpr int kUnbounded = 1 << 20;
    plan.slack_rounds_[page] =
        round_s > 0 ? static_cast<int>(std::floor(slack_s / round_s + 1e-9)) : kUnbounded;
  }
  if (!plan.slack_rounds_.empty())
    plan.set_epsilon(
        std::min(0.5, kStretchBudget / static_cast<double>(plan.slack_rounds_.size())));
  return plan;
}

int HedgePlan::copies_with(int rounds_left) const {
  // A page that always fails, or never does: copies cannot change its finish.
  if (failure_rate_ <= 0 || failure_rate_ >= 1) return 1;
  if (rounds_left < 0) return kMaxCopies;
  const double needed = std::log(epsilon_) / ((rounds_left + 1) * std::log(failure_rate_));
  return std::clamp(static_cast<int>(std::ceil(needed - 1e-9)), 1, kMaxCopies);
}

int HedgePlan::copies(const std::string &page, int attempt) const {
  const auto slack = slack_rounds_.find(page);
  const int rounds = slack == slack_rounds_.end() ? default_rounds_ : slack->second;
  return copies_with(rounds - (attempt - 1));
}

size_t HedgePlan::hedged_from_start() const {
  return static_cast<size_t>(
      std::count_if(slack_rounds_.begin(), slack_rounds_.end(),
                    [this](const auto &p) { return copies_with(p.second) > 1; }));
}

}  // namespace concur::crawl
