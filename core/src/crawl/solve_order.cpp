#include "crawl/solve_order.hpp"

#include <algorithm>
#include <cmath>

#include "crawl/graph_paths.hpp"

namespace concur::crawl {
namespace {

// Expected attempts until a page that fails with probability f answers,
// when at most `attempts` are made: sum of f^k for k < attempts.
double expected_attempts(double f, long attempts) {
  if (f <= 0 || attempts <= 1) return 1;
  if (f >= 1) return static_cast<double>(attempts);
  return (1 - std::pow(f, static_cast<double>(attempts))) / (1 - f);
}

bool is_puzzle(const std::string &type) {
  return type == "cpu" || type == "core";
}

}  // namespace

SolveOrder SolveOrder::from_graph(const results::KnownGraph &graph, const std::string &start,
                                  const std::unordered_map<std::string, double> &delay_s,
                                  double other_s, double failure_rate, long attempts,
                                  const PuzzleParams &puzzle) {
  std::unordered_map<std::string, double> type_cost_s;
  for (const auto &[type, delay] : delay_s) type_cost_s[type] = delay;
  if (auto failure = type_cost_s.find("failure"); failure != type_cost_s.end())
    failure->second *= expected_attempts(failure_rate, attempts);
  if (auto cpu = type_cost_s.find("cpu"); cpu != type_cost_s.end())
    cpu->second += static_cast<double>(puzzle.cpu_iterations) * kStepSeconds;
  if (auto core = type_cost_s.find("core"); core != type_cost_s.end())
    core->second += static_cast<double>(puzzle.core_iterations) * kStepSeconds;
  const GraphPaths paths = graph_paths(graph, start, [&](const std::string &page) {
    const auto type = graph.types.find(page);
    if (type == graph.types.end()) return other_s;
    const auto cost = type_cost_s.find(type->second);
    return cost == type_cost_s.end() ? other_s : cost->second;
  });
  SolveOrder order;
  for (const auto &[page, type] : graph.types) {
    if (!is_puzzle(type)) continue;
    const auto subtree = paths.subtree_finish_s.find(page);
    if (subtree != paths.subtree_finish_s.end()) order.urgency_s_[page] = subtree->second;
  }
  return order;
}

double SolveOrder::urgency(const std::string &page) const {
  const auto it = urgency_s_.find(page);
  return it == urgency_s_.end() ? 0 : it->second;
}

}  // namespace concur::crawl
