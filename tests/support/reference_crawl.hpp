// What a breadth-first crawl of a graph must reach, computed from the graph
// itself and the server's failure oracle, with no HTTP involved. The e2e tests
// compare real crawls against it.
#pragma once

#include <algorithm>
#include <deque>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "server/graph.hpp"

namespace concur::test {

struct ReferenceCrawl {
  std::vector<std::string> taken;  // in breadth-first order
  std::vector<std::string> ok;     // sorted
  long failed = 0;
  long requests = 0;
};

// Does the k-th request (1-based) for a page fail? By default: the server's
// failure oracle for failure pages, never for the others.
using FailsFn = std::function<bool(const server::Page &, int k)>;

inline FailsFn server_failures(const server::Graph &g) {
  return [&g](const server::Page &page, int k) {
    return page.type == server::PageType::failure &&
           server::failure_request_fails(g.settings(), page.id, static_cast<uint64_t>(k));
  };
}

// Mirrors the crawl semantics: a FIFO frontier de-duplicated at discovery,
// max_pages counted at take, 1 + retries attempts per page, a request failing
// as `fails` says.
inline ReferenceCrawl reference_crawl(const server::Graph &g, uint32_t start, int max_pages,
                                      int retries, FailsFn fails = {}) {
  if (!fails) fails = server_failures(g);
  ReferenceCrawl r;
  std::deque<uint32_t> queue{start};
  std::unordered_set<uint32_t> seen{start};
  while (!queue.empty() && (max_pages == 0 || static_cast<int>(r.taken.size()) < max_pages)) {
    const server::Page &page = g.page(queue.front());
    queue.pop_front();
    r.taken.push_back(page.id);
    bool ok = false;
    for (int k = 1; k <= retries + 1 && !ok; ++k) {
      ++r.requests;
      ok = !fails(page, k);
    }
    if (!ok) {
      ++r.failed;
      continue;
    }
    r.ok.push_back(page.id);
    for (uint32_t link : page.links)
      if (seen.insert(link).second) queue.push_back(link);
  }
  std::sort(r.ok.begin(), r.ok.end());
  return r;
}

}  // namespace concur::test
