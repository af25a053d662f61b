#include "results/page_record.hpp"

#include <algorithm>

namespace concur::results {
namespace {
constexpr unsigned char kLongLink = 255;  // then the length in four bytes, low byte first
}  // namespace

std::pair<size_t, size_t> LinkList::Iterator::span() const {
  const auto byte = [this](size_t i) { return static_cast<unsigned char>((*packed_)[i]); };
  if (byte(at_) != kLongLink) return {at_ + 1, byte(at_)};
  size_t length = 0;
  for (int i = 3; i >= 0; --i) length = length << 8 | byte(at_ + 1 + static_cast<size_t>(i));
  return {at_ + 5, length};
}

std::string_view LinkList::Iterator::operator*() const {
  const auto [from, length] = span();
  return std::string_view(*packed_).substr(from, length);
}

LinkList::Iterator &LinkList::Iterator::operator++() {
  const auto [from, length] = span();
  at_ = from + length;
  return *this;
}

LinkList::LinkList(std::initializer_list<std::string_view> links) {
  for (std::string_view link : links) push_back(link);
}

LinkList::LinkList(const std::vector<std::string> &links) {
  size_t bytes = 0;
  for (const auto &link : links) bytes += link.size() + (link.size() < kLongLink ? 1 : 5);
  packed_.reserve(bytes);
  for (const auto &link : links) push_back(link);
}

void LinkList::push_back(std::string_view link) {
  if (link.size() < kLongLink) {
    packed_.push_back(static_cast<char>(link.size()));
  } else {
    packed_.push_back(static_cast<char>(kLongLink));
    for (int i = 0; i < 4; ++i) packed_.push_back(static_cast<char>(link.size() >> (8 * i) & 0xFF));
  }
  packed_.append(link);
}

std::vector<std::string> page_ids(const PageRecords &pages, const PageNames &names) {
  std::vector<std::string> ids;
  ids.reserve(pages.size());
  for (const auto &page : pages) ids.push_back(names.name(page.page));
  std::sort(ids.begin(), ids.end());
  return ids;
}

void sort_by_page(PageRecords &pages) {
  std::sort(pages.begin(), pages.end(),
            [](const PageRecord &a, const PageRecord &b) { return a.page < b.page; });
}

const PageRecord *find_page(const PageRecords &sorted, uint32_t page) {
  const auto at = std::lower_bound(sorted.begin(), sorted.end(), page,
                                   [](const PageRecord &p, uint32_t v) { return p.page < v; });
  return at != sorted.end() && at->page == page ? &*at : nullptr;
}

}  // namespace concur::results
