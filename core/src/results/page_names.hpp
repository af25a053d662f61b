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
#include <utility>
#include <vector>

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
  // Strings by index, and an open-addressing index over them: a slot holds a
  // name's hash (high 32 bits) and its index + 1 (low 32 bits; 0: empty).
  // Eight bytes a slot, at most half of them full, against a node-based map's
  // ~60 bytes a name (node, bucket, allocator overhead), and one cache miss
  // less a lookup: a link-heavy crawl looks up every link it reads.
  struct Table {
    Blocks<std::string> names;
    std::vector<uint64_t> slots;  // a power of two long, or empty

    std::pair<uint32_t, bool> intern(std::string_view name);
    std::optional<uint32_t> find(std::string_view name) const;

   private:
    // The slot that holds `name`, or the empty slot where it would go.
    size_t slot_of(std::string_view name, uint32_t hash) const;
    void grow();
  };

  mutable std::mutex mutex_;  // guards both tables
  Table pages_;
  Table types_;
};

}  // namespace concur::results
