// The demo server's page graph, built deterministically from Settings
// (PROTOCOL.md, "Graph" and "Puzzles"). Same settings → same ids, types, links
// and puzzle seeds on any machine: only our own integer RNG, no std::
// distributions (their output differs between standard libraries).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/settings.hpp"

namespace concur::server {

struct Page {
  std::string id;
  PageType type = PageType::regular;
  std::vector<uint32_t> links;     // indices into Graph::pages(), in link order
  std::vector<std::string> seeds;  // cpu: 1 seed; core: id_length seeds; else none
};

class Graph {
 public:
  // Validates settings (throws std::invalid_argument naming the setting) and
  // builds the graph, making puzzles on all cores: it costs as much CPU as
  // solving every puzzle once.
  static Graph build(const Settings &settings);

  const Settings &settings() const { return settings_; }
  const std::vector<Page> &pages() const { return pages_; }
  const Page &page(uint32_t index) const { return pages_.at(index); }
  std::optional<uint32_t> find(std::string_view id) const;
  uint32_t first() const { return 0; }  // the root page links here
  std::array<int, kPageTypeCount> type_counts() const;

 private:
  Settings settings_;
  std::vector<Page> pages_;
  std::unordered_map<std::string, uint32_t> index_;
};

// Does the k-th request (k = 1, 2, ...) for failure page `id` fail? A pure
// function of (seed, id, k) with probability settings.failure_rate.
bool failure_request_fails(const Settings &settings, std::string_view id, uint64_t k);

const char *page_type_name(PageType type);
std::optional<PageType> parse_page_type(std::string_view name);

}  // namespace concur::server
