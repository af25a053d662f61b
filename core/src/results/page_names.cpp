#include "results/page_names.hpp"

#include <stdexcept>

namespace concur::results {

std::pair<uint32_t, bool> PageNames::Table::intern(std::string_view name) {
  if (auto known = index.find(name); known != index.end()) return {known->second, false};
  if (names.size() >= UINT32_MAX) throw std::length_error("more than 2^32 - 1 names");
  const auto at = static_cast<uint32_t>(names.size());
  names.emplace_back(name);
  index.emplace(names.back(), at);
  return {at, true};
}

std::pair<uint32_t, bool> PageNames::intern(std::string_view id) {
  std::lock_guard lock(mutex_);
  return pages_.intern(id);
}

std::optional<uint32_t> PageNames::find(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const auto known = pages_.index.find(id);
  if (known == pages_.index.end()) return std::nullopt;
  return known->second;
}

const std::string &PageNames::name(uint32_t index) const {
  std::lock_guard lock(mutex_);
  return pages_.names.at(index);
}

size_t PageNames::size() const {
  std::lock_guard lock(mutex_);
  return pages_.names.size();
}

uint32_t PageNames::type_index(std::string_view type) {
  std::lock_guard lock(mutex_);
  return types_.intern(type).first;
}

const std::string &PageNames::type_name(uint32_t index) const {
  std::lock_guard lock(mutex_);
  return types_.names.at(index);
}

}  // namespace concur::results
