#include "results/lower_bound.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <unordered_map>

namespace concur::results {
namespace {

struct Cost {
  double fetch_s = 0;  // the successful request (failed attempts are not inherent)
  double solve_s = 0;  // the slowest unit: units of one page may run in parallel
};

std::unordered_map<std::string, Cost> page_costs(const std::vector<Event> &events,
                                                 double &cpu_total_s) {
  std::unordered_map<std::string, Cost> costs;
  for (const auto &e : events) {
    const double span = e.end_s - e.start_s;
    Cost &c = costs[e.page];
    if (e.kind == Event::Kind::solve) {
      // CPU time, not the span: with more solvers than cores a span includes
      // time spent waiting for a core, which a better schedule would not pay.
      c.solve_s = std::max(c.solve_s, e.cpu_s);
      cpu_total_s += e.cpu_s;
    } else if (e.status >= 200 && e.status < 300) {
      c.fetch_s = span;
    }
  }
  return costs;
}

// Every page of a type costs the fastest successful fetch seen of that type.
void fastest_per_type(std::unordered_map<std::string, Cost> &costs, const PageTypes &types) {
  std::unordered_map<std::string, double> fastest;
  for (const auto &[page, cost] : costs) {
    auto type = types.find(page);
    if (type == types.end() || cost.fetch_s <= 0) continue;
    auto [it, fresh] = fastest.try_emplace(type->second, cost.fetch_s);
    if (!fresh) it->second = std::min(it->second, cost.fetch_s);
  }
  for (auto &[page, cost] : costs) {
    auto type = types.find(page);
    if (type != types.end() && fastest.count(type->second)) cost.fetch_s = fastest[type->second];
  }
}

using Adjacency = std::unordered_map<std::string, const std::vector<std::string> *>;

// Dijkstra over pages, a page's own cost counted when it is reached; only
// pages with an entry in `out` discover, and are discovered.
double critical_path(const std::string &start, const Adjacency &out,
                     const std::function<double(const std::string &)> &cost) {
  double longest = 0;
  using Item = std::pair<double, std::string>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
  std::unordered_map<std::string, double> done;
  queue.push({cost(start), start});
  while (!queue.empty()) {
    auto [at, page] = queue.top();
    queue.pop();
    if (!done.emplace(page, at).second) continue;
    longest = std::max(longest, at);
    auto it = out.find(page);
    if (it == out.end()) continue;  // failed, or never completed: discovers nothing
    for (const auto &next : *it->second)
      if (!done.count(next) && out.count(next)) queue.push({at + cost(next), next});
  }
  return longest;
}

// Pages the run never fetched or solved, costed from pages of their type it did.
void cost_unseen(std::unordered_map<std::string, Cost> &costs, const KnownGraph &graph) {
  std::unordered_map<std::string, Cost> cheapest;  // per type
  for (const auto &[page, cost] : costs) {
    auto type = graph.types.find(page);
    if (type == graph.types.end()) continue;
    auto [it, fresh] = cheapest.try_emplace(type->second, cost);
    if (fresh) continue;
    if (cost.fetch_s > 0)
      it->second.fetch_s =
          it->second.fetch_s > 0 ? std::min(it->second.fetch_s, cost.fetch_s) : cost.fetch_s;
    if (cost.solve_s > 0)
      it->second.solve_s =
          it->second.solve_s > 0 ? std::min(it->second.solve_s, cost.solve_s) : cost.solve_s;
  }
  for (const auto &[page, type] : graph.types) {
    auto seen = cheapest.find(type);
    if (seen == cheapest.end()) continue;
    Cost &c = costs[page];
    if (c.fetch_s <= 0) c.fetch_s = seen->second.fetch_s;
    if (c.solve_s <= 0) c.solve_s = seen->second.solve_s;
  }
}

}  // namespace

LowerBound lower_bound(const std::string &start, const std::vector<Event> &events,
                       const std::vector<std::pair<std::string, std::vector<std::string>>> &links,
                       unsigned cores, const PageTypes &types) {
  LowerBound bound;
  double cpu_total_s = 0;
  auto costs = page_costs(events, cpu_total_s);
  fastest_per_type(costs, types);
  bound.cpu_bound_s = cpu_total_s / std::max(1u, cores);

  Adjacency out;
  for (const auto &[page, to] : links) out[page] = &to;
  bound.critical_path_s = critical_path(start, out, [&](const std::string &page) {
    auto it = costs.find(page);
    return it == costs.end() ? 0.0 : it->second.fetch_s + it->second.solve_s;
  });
  return bound;
}

LowerBound graph_lower_bound(const std::string &start, const std::vector<Event> &events,
                             const KnownGraph &graph, unsigned cores) {
  LowerBound bound;
  double cpu_total_s = 0;
  auto costs = page_costs(events, cpu_total_s);
  fastest_per_type(costs, graph.types);
  cost_unseen(costs, graph);
  bound.cpu_bound_s = cpu_total_s / std::max(1u, cores);
  Adjacency out;
  for (const auto &[page, to] : graph.links) out[page] = &to;
  bound.critical_path_s = critical_path(start, out, [&](const std::string &page) {
    auto it = costs.find(page);
    return it == costs.end() ? 0.0 : it->second.fetch_s + it->second.solve_s;
  });
  return bound;
}

LowerBound compute_lower_bound(const std::vector<Event> &events, unsigned cores) {
  LowerBound bound;
  double cpu = 0;
  for (const auto &e : events) {
    if (e.kind != Event::Kind::solve) continue;
    bound.critical_path_s = std::max(bound.critical_path_s, e.cpu_s + e.wait_s);
    cpu += e.cpu_s;
  }
  bound.cpu_bound_s = cpu / std::max(1u, cores);
  return bound;
}

RunBound run_bound(const RunBoundInputs &in) {
  if (in.compute) return {compute_lower_bound(*in.events, in.cores), "compute"};
  if (in.whole_graph)
    return {graph_lower_bound(in.start, *in.events, *in.whole_graph, in.cores), "graph"};
  return {lower_bound(in.start, *in.events, *in.links, in.cores, *in.types), "discovered"};
}

int peak_parallel_solves(const std::vector<Event> &events) {
  std::vector<std::pair<double, int>> edges;
  for (const auto &e : events)
    if (e.kind == Event::Kind::solve) {
      edges.emplace_back(e.start_s, 1);
      edges.emplace_back(e.end_s, -1);
    }
  std::sort(edges.begin(), edges.end());  // at equal times an end (-1) sorts first
  int now = 0, peak = 0;
  for (const auto &[t, d] : edges) peak = std::max(peak, now += d);
  return peak;
}

}  // namespace concur::results
