#include "results/page_names.hpp"

#include <functional>
#include <stdexcept>

namespace concur::results {

namespace {

constexpr size_t kFirstSlots = 16;

uint32_t hash_of(std::string_view name) {
  return static_cast<uint32_t>(std::hash<std::string_view>{}(name));
}

uint32_t slot_hash(uint64_t slot) {
  return static_cast<uint32_t>(slot >> 32);
}
uint32_t slot_index(uint64_t slot) {
  return static_cast<uint32_t>(slot) - 1;
}

}  // namespace

size_t PageNames::Table::slot_of(std::string_view name, uint32_t hash) const {
  const size_t mask = slots.size() - 1;
  for (size_t at = hash & mask;; at = (at + 1) & mask) {
    const uint64_t slot = slots[at];
    if (slot == 0) return at;
    if (slot_hash(slot) == hash && names[slot_index(slot)] == name) return at;
  }
}

void PageNames::Table::grow() {
  std::vector<uint64_t> wider(slots.empty() ? kFirstSlots : 2 * slots.size(), 0);
  const size_t mask = wider.size() - 1;
  for (const uint64_t slot : slots) {
    if (slot == 0) continue;
    size_t at = slot_hash(slot) & mask;
    while (wider[at] != 0) at = (at + 1) & mask;
    wider[at] = slot;
  }
  slots.swap(wider);
}

std::pair<uint32_t, bool> PageNames::Table::intern(std::string_view name) {
  if (slots.empty()) grow();
  const uint32_t hash = hash_of(name);
  const size_t at = slot_of(name, hash);
  if (slots[at] != 0) return {slot_index(slots[at]), false};
  // Index + 1 must fit a slot's 32 bits.
  if (names.size() >= UINT32_MAX) throw std::length_error("more than 2^32 - 1 names");
  const auto index = static_cast<uint32_t>(names.size());
  names.emplace_back(name);
  slots[at] = (uint64_t{hash} << 32) | (index + 1);
  if (2 * names.size() > slots.size()) grow();
  return {index, true};
}

std::optional<uint32_t> PageNames::Table::find(std::string_view name) const {
  if (slots.empty()) return std::nullopt;
  const uint64_t slot = slots[slot_of(name, hash_of(name))];
  if (slot == 0) return std::nullopt;
  return slot_index(slot);
}

std::pair<uint32_t, bool> PageNames::intern(std::string_view id) {
  std::lock_guard lock(mutex_);
  return pages_.intern(id);
}

std::optional<uint32_t> PageNames::find(std::string_view id) const {
  std::lock_guard lock(mutex_);
  return pages_.find(id);
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
