// The best any strategy could do on this machine for the pages a run reached
// (ARCHITECTURE.md, "Runs, results and measurement"): the larger of
//  (a) the critical path — the longest, over pages, of the shortest discovery
//      path from the start, each page costing one successful fetch (its delay
//      as observed) plus its solve CPU time (a core page's seeds in parallel:
//      the slowest one), and
//  (b) all the CPU work (every solve's CPU time) spread over every core.
// A page's fetch costs the fastest successful fetch seen of any page of its
// type (when types are known): a client that stalls — an event loop busy
// solving — stretches the fetches it has in flight, and the bound must not
// grow with that stall, or the stalled run would look efficient.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "results/event.hpp"
#include "results/page_names.hpp"
#include "results/page_record.hpp"

namespace concur::results {

struct LowerBound {
  double critical_path_s = 0;
  double cpu_bound_s = 0;
  double bound_s() const { return critical_path_s > cpu_bound_s ? critical_path_s : cpu_bound_s; }
};

using PageTypes = std::unordered_map<std::string, std::string>;  // page id -> type

// `pages`: each page completed successfully, with the links it yielded and its
// type. Pages of one type cost the fastest fetch seen of that type; a page that
// said no type ("") costs its own observed fetch.
// `names`: what the events name pages by.
LowerBound lower_bound(const std::string &start, const Events &events, const PageNames &names,
                       const PageRecords &pages, unsigned cores);

// The whole graph as the server tells it (`/api/cheat/`): every page's type
// and links, puzzle targets included.
struct KnownGraph {
  std::unordered_map<std::string, std::vector<std::string>> links;
  PageTypes types;
};

// The exact bound of a whole-graph crawl: the critical path runs over every
// page reachable from `start` in `graph`, not only over what the run
// discovered. A page the run did not fetch (or solve) costs the fastest fetch
// (and the cheapest solve) it saw of that page's type; of a type it never saw,
// nothing — the bound stays a bound.
LowerBound graph_lower_bound(const std::string &start, const Events &events, const PageNames &names,
                             const KnownGraph &graph, unsigned cores);

// Independent tasks (a compute experiment): no run beats its longest task, nor
// its CPU time spread over every core. A task's length is its CPU time plus
// the waits it declared (concur.sleep), not its span: a task that waited for
// a core, or for the GIL, took longer than it had to.
LowerBound compute_lower_bound(const Events &events, unsigned cores);

// What a run is bounded over, and its bound (the CSV's bound_basis):
//  - compute: independent tasks (compute_lower_bound);
//  - graph: a crawl that covered the server's whole graph (graph_lower_bound);
//  - discovered: any other crawl, over the pages it reached (lower_bound).
struct RunBoundInputs {
  bool compute = false;
  // The server's whole graph, set only when the run crawled all of it: a page
  // that gave up hides its subtree, an on_page hook may skip links, and a
  // bound over pages the run never crawled could exceed its wall time.
  const KnownGraph *whole_graph = nullptr;
  std::string start;
  const Events *events = nullptr;
  const PageNames *names = nullptr;  // what the events name pages by
  const PageRecords *pages = nullptr;
  unsigned cores = 1;
};
struct RunBound {
  LowerBound bound;
  std::string basis;  // "compute" | "graph" | "discovered"
};
RunBound run_bound(const RunBoundInputs &in);

// The most solve events that overlapped in time: how many workers really
// computed at once (threads on 2 cores still overlap: they take turns).
int peak_parallel_solves(const Events &events);

}  // namespace concur::results
