#include "results/lower_bound.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <queue>
#include <string_view>
#include <type_traits>
#include <unordered_map>

namespace concur::results {
namespace {

struct Cost {
  double fetch_s = 0;  // the successful request (failed attempts are not inherent)
  double solve_s = 0;  // the slowest unit: units of one page may run in parallel
};

// Every page the bound names, each once, by a dense index: the run's own
// (PageNames, as its events name pages), then one past it for each page only
// the graph names. So the bound adds ~17 bytes per page to what the run
// keeps, where a map of its own would add ~80 at the run's peak.
class Pages {
 public:
  explicit Pages(const PageNames &names)
      : costs(names.size()), names_(names), added_(names.size(), false) {}
  uint32_t add(uint32_t named) {
    added_[named] = true;
    return named;
  }
  uint32_t add(std::string_view page) {
    if (const auto named = names_.find(page)) return add(*named);
    auto [it, fresh] = extra_.try_emplace(page, static_cast<uint32_t>(costs.size()));
    if (fresh) {
      costs.emplace_back();
      added_.push_back(true);
    }
    return it->second;
  }
  // Pages added so far; any other is unknown to the bound.
  std::optional<uint32_t> find(std::string_view page) const {
    if (const auto named = names_.find(page)) return added_[*named] ? named : std::nullopt;
    const auto it = extra_.find(page);
    if (it == extra_.end()) return std::nullopt;
    return it->second;
  }
  size_t size() const { return costs.size(); }
  double cost(uint32_t page) const { return costs[page].fetch_s + costs[page].solve_s; }

  std::vector<Cost> costs;  // by index

 private:
  const PageNames &names_;
  std::vector<bool> added_;                               // by index
  std::unordered_map<std::string_view, uint32_t> extra_;  // pages only the graph names
};

void add_event_costs(Pages &pages, const Events &events, double &cpu_total_s) {
  for (const auto &e : events) {
    const double span = e.end_s - e.start_s;
    Cost &c = pages.costs[pages.add(e.page)];
    if (e.kind == Event::Kind::solve) {
      // CPU time, not the span: with more solvers than cores a span includes
      // time spent waiting for a core, which a better schedule would not pay.
      c.solve_s = std::max(c.solve_s, e.cpu_s);
      cpu_total_s += e.cpu_s;
    } else if (e.status >= 200 && e.status < 300) {
      c.fetch_s = span;
    }
  }
}

// Every page of a type costs the fastest successful fetch seen of that type; a
// page of no type ("") keeps its own.
// `typed` holds (page, type) items; `type_of(item)` gives both.
template <typename Typed, typename TypeOf>
void fastest_per_type(Pages &pages, const Typed &typed, TypeOf type_of) {
  std::unordered_map<std::string_view, double> fastest;
  for (const auto &item : typed) {
    const auto [page, type] = type_of(item);
    const auto at = pages.find(page);
    if (type.empty() || !at || pages.costs[*at].fetch_s <= 0) continue;
    auto [it, fresh] = fastest.try_emplace(type, pages.costs[*at].fetch_s);
    if (!fresh) it->second = std::min(it->second, pages.costs[*at].fetch_s);
  }
  for (const auto &item : typed) {
    const auto [page, type] = type_of(item);
    const auto at = pages.find(page);
    const auto seen = fastest.find(type);
    if (at && seen != fastest.end()) pages.costs[*at].fetch_s = seen->second;
  }
}

using TypeOf = std::pair<std::string_view, std::string_view>;

TypeOf graph_type(const std::pair<const std::string, std::string> &item) {
  return {item.first, item.second};
}

// Each page's links by index (a vector of ids, or a LinkList); null: the page
// discovers nothing (failed, or never completed).
template <typename LinkContainer>
using Adjacency = std::vector<const LinkContainer *>;

// Dijkstra over pages, a page's own cost counted when it is reached; only
// pages with links discover, and are discovered.
template <typename LinkContainer>
double critical_path(uint32_t start, const Pages &pages, const Adjacency<LinkContainer> &out) {
  double longest = 0;
  using Item = std::pair<double, uint32_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
  std::vector<char> done(pages.size(), 0);
  queue.push({pages.cost(start), start});
  while (!queue.empty()) {
    const auto [at, page] = queue.top();
    queue.pop();
    if (done[page]) continue;
    done[page] = 1;
    longest = std::max(longest, at);
    if (out[page] == nullptr) continue;
    for (const auto &link : *out[page]) {
      const auto next = pages.find(link);
      if (next && !done[*next] && out[*next] != nullptr)
        queue.push({at + pages.cost(*next), *next});
    }
  }
  return longest;
}

// Pages the run never fetched or solved, costed from pages of their type it did.
void cost_unseen(Pages &pages, const KnownGraph &graph) {
  std::unordered_map<std::string, Cost> cheapest;  // per type
  for (const auto &[page, type] : graph.types) {
    const auto at = pages.find(page);
    if (!at) continue;
    const Cost &cost = pages.costs[*at];
    auto [it, fresh] = cheapest.try_emplace(type, cost);
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
    Cost &c = pages.costs[pages.add(page)];
    if (c.fetch_s <= 0) c.fetch_s = seen->second.fetch_s;
    if (c.solve_s <= 0) c.solve_s = seen->second.solve_s;
  }
}

// `links` holds (page, its links) items; `links_of(item)` gives both.
template <typename Links, typename LinksOf>
double critical_path_over(const std::string &start, Pages &pages, const Links &links,
                          LinksOf links_of) {
  for (const auto &item : links) pages.add(links_of(item).first);
  const uint32_t from = pages.add(start);
  using LinkContainer = std::remove_cvref_t<decltype(*links_of(*links.begin()).second)>;
  Adjacency<LinkContainer> out(pages.size(), nullptr);
  for (const auto &item : links) {
    const auto [page, to] = links_of(item);
    out[*pages.find(page)] = to;
  }
  return critical_path(from, pages, out);
}

std::pair<std::string_view, const std::vector<std::string> *> graph_links(
    const std::pair<const std::string, std::vector<std::string>> &item) {
  return {item.first, &item.second};
}

}  // namespace

LowerBound lower_bound(const std::string &start, const Events &events, const PageNames &names,
                       const PageRecords &pages, unsigned cores) {
  LowerBound bound;
  double cpu_total_s = 0;
  const auto record_type = [&names](const PageRecord &page) {
    return TypeOf{names.name(page.page), names.type_name(page.type)};
  };
  const auto record_links = [&names](const PageRecord &page) {
    return std::pair<std::string_view, const LinkList *>{names.name(page.page), &page.links};
  };
  Pages costs(names);
  add_event_costs(costs, events, cpu_total_s);
  fastest_per_type(costs, pages, record_type);
  bound.cpu_bound_s = cpu_total_s / std::max(1u, cores);
  bound.critical_path_s = critical_path_over(start, costs, pages, record_links);
  return bound;
}

LowerBound graph_lower_bound(const std::string &start, const Events &events, const PageNames &names,
                             const KnownGraph &graph, unsigned cores) {
  LowerBound bound;
  double cpu_total_s = 0;
  Pages pages(names);
  add_event_costs(pages, events, cpu_total_s);
  fastest_per_type(pages, graph.types, graph_type);
  cost_unseen(pages, graph);
  bound.cpu_bound_s = cpu_total_s / std::max(1u, cores);
  bound.critical_path_s = critical_path_over(start, pages, graph.links, graph_links);
  return bound;
}

LowerBound compute_lower_bound(const Events &events, unsigned cores) {
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
    return {graph_lower_bound(in.start, *in.events, *in.names, *in.whole_graph, in.cores), "graph"};
  return {lower_bound(in.start, *in.events, *in.names, *in.pages, in.cores), "discovered"};
}

int peak_parallel_solves(const Events &events) {
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
