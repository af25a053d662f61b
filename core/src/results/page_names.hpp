// Every page id a run met, kept once and named by a dense index: the
// frontier's "seen" set, and what events and page records name a page by. A
// crawl of millions of pages would otherwise keep each id four or five times
// over (the frontier, the record, every request and solve of the page). The
// few page types are named by index the same way.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "results/blocks.hpp"

namespace concur::results {

class PageNames {
 public:
  PageNames() = default;
  PageNames(const PageNames &) = delete;
  PageNames &operator=(const PageNames &) = delete;

  // The index of page `id`, and whether this call added it. Thread-safe.
  std::pair<uint32_t, bool> intern(std::string_view id);
  // The index of page `id`, if the table has it. Thread-safe.
  std::optional<uint32_t> find(std::string_view id) const;
  // The id of page `index` (from intern). Thread-safe; the string stays put
  // while the table lives.
  const std::string &name(uint32_t index) const;
  size_t size() const;  // pages

  // The same for page types ("regular", a compute item's label...).
  uint32_t type_index(std::string_view type);
  const std::string &type_name(uint32_t index) const;

 private:
  // Strings by index; blocks never move a string, so the index holds views.
  struct Table {
    Blocks<std::string> names;
    std::unordered_map<std::string_view, uint32_t> index;
    std::pair<uint32_t, bool> intern(std::string_view name);
  };

  mutable std::mutex mutex_;  // guards both tables
  Table pages_;
  Table types_;
};

}  // namespace concur::results
