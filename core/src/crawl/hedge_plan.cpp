#include "crawl/hedge_plan.hpp"

#include <algorithm>
#include <cmath>
#include <queue>
#include <tuple>
#include <utility>
#include <vector>

namespace concur::crawl {
namespace {

struct Reached {
  double finish_s = 0;  // the earliest this page can have answered
  const std::string *parent = nullptr;
  int depth = 0;  // links from the start: orders a page after its parent at equal finish
};

// Dijkstra from `start`, a page's delay counted when it is reached: each
// page's earliest finish and the page it is discovered through.
std::unordered_map<std::string, Reached> earliest(
    const results::KnownGraph &graph, const std::string &start,
    const std::unordered_map<std::string, double> &delay_s, double other_s) {
  const auto cost = [&](const std::string &page) {
    const auto type = graph.types.find(page);
    if (type == graph.types.end()) return other_s;
    const auto delay = delay_s.find(type->second);
    return delay == delay_s.end() ? other_s : delay->second;
  };
  std::unordered_map<std::string, Reached> reached;
  using Item = std::tuple<double, const std::string *, const std::string *>;
  const auto later = [](const Item &a, const Item &b) {
    return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) > std::get<0>(b)
                                            : *std::get<1>(a) > *std::get<1>(b);
  };
  std::priority_queue<Item, std::vector<Item>, decltype(later)> queue(later);
  const auto root = graph.links.find(start);
  if (root == graph.links.end()) return reached;
  queue.emplace(cost(start), &root->first, nullptr);
  while (!queue.empty()) {
    const auto [at, page, parent] = queue.top();
    queue.pop();
    const int depth = parent == nullptr ? 0 : reached.at(*parent).depth + 1;
    if (!reached.emplace(*page, Reached{at, parent, depth}).second) continue;
    for (const auto &link : graph.links.at(*page)) {
      const auto next = graph.links.find(link);
      if (next != graph.links.end() && !reached.count(next->first))
        queue.emplace(at + cost(next->first), &next->first, page);
    }
  }
  return reached;
}

}  // namespace

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
  const auto reached = earliest(graph, start, delay_s, other_s);
  // Latest finish in each page's discovery subtree: children before parents.
  std::vector<std::pair<const std::string *, const Reached *>> by_finish;
  std::unordered_map<std::string, double> subtree_s;
  for (const auto &[page, r] : reached) {
    by_finish.emplace_back(&page, &r);
    subtree_s[page] = r.finish_s;
    plan.critical_path_s_ = std::max(plan.critical_path_s_, r.finish_s);
  }
  // Latest first; at equal finish (a type without delay), deeper first.
  std::sort(by_finish.begin(), by_finish.end(), [](const auto &a, const auto &b) {
    if (a.second->finish_s != b.second->finish_s) return a.second->finish_s > b.second->finish_s;
    return a.second->depth > b.second->depth;
  });
  for (const auto &[page, r] : by_finish)
    if (r->parent != nullptr)
      subtree_s[*r->parent] = std::max(subtree_s[*r->parent], subtree_s[*page]);
  const auto failure_delay = delay_s.find("failure");
  const double round_s = failure_delay != delay_s.end() ? failure_delay->second : other_s;
  for (const auto &[page, type] : graph.types) {
    if (type != "failure" || !reached.count(page)) continue;
    const double slack_s = plan.critical_path_s_ - subtree_s.at(page);
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
