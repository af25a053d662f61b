// One page a run completed: all the bound, the checks and the trace need of it
// (the page's events are elsewhere, results/event.hpp). One record per page,
// not three lists keyed by page id: a crawl of millions of pages keeps its id
// once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "results/blocks.hpp"

namespace concur::results {

struct PageRecord {
  std::string id;
  std::string type;                // "" when the page did not say
  std::vector<std::string> links;  // the links it yielded (after on_page's choice)
  bool operator==(const PageRecord &) const = default;
};

using PageRecords = Blocks<PageRecord, 256>;

// The records' ids, in their order.
std::vector<std::string> page_ids(const PageRecords &pages);
// Records sorted by id, in place.
void sort_by_id(PageRecords &pages);
// The record of `id` in records sorted by id; null when the run did not complete it.
const PageRecord *find_page(const PageRecords &sorted, std::string_view id);

}  // namespace concur::results
