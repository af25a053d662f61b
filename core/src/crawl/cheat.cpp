#include "crawl/cheat.hpp"

#include <nlohmann/json.hpp>

#include "crawl/page.hpp"

namespace concur::crawl {
namespace {

using nlohmann::json;

// One entry; false: neither shape.
bool read_page(const std::string &id, const json &page, results::KnownGraph &graph) {
  const json *links = &page;
  if (page.is_object()) {
    const auto it = page.find("links");
    if (it == page.end()) return false;
    links = &*it;
    if (auto type = page.find("page_type"); type != page.end() && type->is_string())
      graph.types[id] = type->get<std::string>();
  }
  if (!links->is_array()) return false;
  std::vector<std::string> &out = graph.links[id];
  for (const auto &link : *links)
    if (auto to = link.is_string() ? link_to_id(link.get<std::string>()) : std::nullopt)
      out.push_back(*to);
  return true;
}

}  // namespace

std::optional<results::KnownGraph> parse_cheat(std::string_view body) {
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || parsed.empty()) return std::nullopt;
  results::KnownGraph graph;
  for (const auto &[id, page] : parsed.items())
    if (!read_page(id, page, graph)) return std::nullopt;
  return graph;
}

}  // namespace concur::crawl
