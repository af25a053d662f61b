// One page a run completed: all the bound, the checks and the trace need of it
// (the page's events are elsewhere, results/event.hpp). One record per page,
// not three lists keyed by page id: a crawl of millions of pages keeps its id
// once.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "results/blocks.hpp"
#include "results/page_names.hpp"

namespace concur::results {

// A page's links, in order, packed into one string: each link's length (one
// byte; 255 then four bytes for a link longer than 254) and then its bytes.
// A few short ids fit the string's own storage: a crawl keeps one per page, and
// a vector of strings would cost 24 bytes plus 32 per link plus an allocation.
class LinkList {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::string_view *;
    using reference = std::string_view;

    Iterator() = default;
    Iterator(const std::string *packed, size_t at) : packed_(packed), at_(at) {}
    std::string_view operator*() const;
    Iterator &operator++();
    Iterator operator++(int) {
      Iterator was = *this;
      ++*this;
      return was;
    }
    bool operator==(const Iterator &other) const { return at_ == other.at_; }

   private:
    // The link at at_: where its bytes start, and how many.
    std::pair<size_t, size_t> span() const;
    const std::string *packed_ = nullptr;
    size_t at_ = 0;
  };

  LinkList() = default;
  LinkList(std::initializer_list<std::string_view> links);
  explicit LinkList(const std::vector<std::string> &links);
  void push_back(std::string_view link);
  Iterator begin() const { return {&packed_, 0}; }
  Iterator end() const { return {&packed_, packed_.size()}; }
  bool empty() const { return packed_.empty(); }
  size_t size() const { return static_cast<size_t>(std::distance(begin(), end())); }
  bool operator==(const LinkList &) const = default;

 private:
  std::string packed_;
};

// Page and type by index in the run's PageNames.
struct PageRecord {
  uint32_t page = 0;
  uint32_t type = 0;  // the name "" when the page did not say
  LinkList links;     // the links it yielded (after on_page's choice)
  bool operator==(const PageRecord &) const = default;
};

using PageRecords = Blocks<PageRecord>;

// The records' page ids, sorted.
std::vector<std::string> page_ids(const PageRecords &pages, const PageNames &names);
// Records by page index, in place.
void sort_by_page(PageRecords &pages);
// The record of `page` in records sorted by page; null when the run did not complete it.
const PageRecord *find_page(const PageRecords &sorted, uint32_t page);

}  // namespace concur::results
