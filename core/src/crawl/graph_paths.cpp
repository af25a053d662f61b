#include "crawl/graph_paths.hpp"

#include <algorithm>
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

std::unordered_map<std::string, Reached> earliest(
    const results::KnownGraph &graph, const std::string &start,
    const std::function<double(const std::string &)> &cost) {
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

GraphPaths graph_paths(const results::KnownGraph &graph, const std::string &start,
                       const std::function<double(const std::string &page)> &cost) {
  GraphPaths paths;
  const auto reached = earliest(graph, start, cost);
  // Latest finish in each page's discovery subtree: children before parents.
  std::vector<std::pair<const std::string *, const Reached *>> by_finish;
  by_finish.reserve(reached.size());
  paths.subtree_finish_s.reserve(reached.size());
  for (const auto &[page, r] : reached) {
    by_finish.emplace_back(&page, &r);
    paths.subtree_finish_s[page] = r.finish_s;
    paths.critical_path_s = std::max(paths.critical_path_s, r.finish_s);
  }
  // Latest first; at equal finish (a page that costs nothing), deeper first.
  std::sort(by_finish.begin(), by_finish.end(), [](const auto &a, const auto &b) {
    if (a.second->finish_s != b.second->finish_s) return a.second->finish_s > b.second->finish_s;
    return a.second->depth > b.second->depth;
  });
  for (const auto &[page, r] : by_finish)
    if (r->parent != nullptr)
      paths.subtree_finish_s[*r->parent] =
          std::max(paths.subtree_finish_s[*r->parent], paths.subtree_finish_s[*page]);
  return paths;
}

}  // namespace concur::crawl
