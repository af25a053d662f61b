#include "results/page_record.hpp"

#include <algorithm>

namespace concur::results {

std::vector<std::string> page_ids(const PageRecords &pages) {
  std::vector<std::string> ids;
  ids.reserve(pages.size());
  for (const auto &page : pages) ids.push_back(page.id);
  return ids;
}

void sort_by_id(PageRecords &pages) {
  std::sort(pages.begin(), pages.end(),
            [](const PageRecord &a, const PageRecord &b) { return a.id < b.id; });
}

const PageRecord *find_page(const PageRecords &sorted, std::string_view id) {
  const auto at =
      std::lower_bound(sorted.begin(), sorted.end(), id,
                       [](const PageRecord &p, std::string_view v) { return p.id < v; });
  return at != sorted.end() && at->id == id ? &*at : nullptr;
}

}  // namespace concur::results
