#include "results/page_names.hpp"

#include <stdexcept>

namespace concur::results {

std::pair<uint32_t, bool> PageNames::intern(std::string_view id) {
  std::lock_guard lock(mutex_);
  if (auto known = index_.find(id); known != index_.end()) return {known->second, false};
  if (names_.size() >= UINT32_MAX) throw std::length_error("more than 2^32 - 1 page ids");
  const auto index = static_cast<uint32_t>(names_.size());
  names_.emplace_back(id);
  index_.emplace(names_.back(), index);
  return {index, true};
}

std::optional<uint32_t> PageNames::find(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const auto known = index_.find(id);
  if (known == index_.end()) return std::nullopt;
  return known->second;
}

const std::string &PageNames::name(uint32_t index) const {
  std::lock_guard lock(mutex_);
  return names_.at(index);
}

size_t PageNames::size() const {
  std::lock_guard lock(mutex_);
  return names_.size();
}

}  // namespace concur::results
