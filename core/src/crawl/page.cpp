#include "crawl/page.hpp"

#include <nlohmann/json.hpp>

namespace concur::crawl {
namespace {

using nlohmann::json;

bool is_id_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
}

std::vector<std::string> parse_links(const json &page) {
  std::vector<std::string> links;
  auto it = page.find("links");
  if (it == page.end()) return links;
  if (!it->is_array()) throw PageError("'links' is not a list");
  for (const auto &link : *it) {
    if (!link.is_string()) throw PageError("a link is not a string");
    auto id = link_to_id(link.get_ref<const std::string &>());
    if (!id) throw PageError("cannot read link '" + link.get<std::string>() + "'");
    links.push_back(std::move(*id));
  }
  return links;
}

void add_group(PageContent &page, PageContent::Puzzle kind, const std::vector<std::string> &seeds,
               uint64_t iterations) {
  page.puzzles.push_back({kind, page.work.size(), seeds.size()});
  for (const auto &seed : seeds) page.work.push_back({seed, iterations});
}

std::string seed_string(const json &seed, const char *field) {
  if (!seed.is_string())
    throw PageError(std::string("'") + field + "' holds a seed that is not a string");
  return seed.get<std::string>();
}

// Our server and the course's: cpu pages "hashseed": "<seed>", core pages
// "hashseed": {"1": s1, "2": s2, ...}.
void parse_hashseed(const json &seed, const PuzzleParams &params, PageContent &page) {
  if (seed.is_string()) {
    add_group(page, PageContent::Puzzle::cpu, {seed.get<std::string>()}, params.cpu_iterations);
    return;
  }
  if (!seed.is_object()) throw PageError("'hashseed' is neither a string nor an object");
  std::vector<std::string> seeds;
  for (size_t pos = 1; pos <= seed.size(); ++pos) {
    auto it = seed.find(std::to_string(pos));
    if (it == seed.end() || !it->is_string())
      throw PageError("'hashseed' lacks position " + std::to_string(pos));
    seeds.push_back(it->get<std::string>());
  }
  add_group(page, PageContent::Puzzle::core, seeds, params.core_iterations);
}

// The original server's newest version: "hashseeds": [s, ...] (one cpu puzzle
// per link) and "multiseeds": [[s1, ...], ...] (one core puzzle per link).
void parse_seed_lists(const json &page_json, const PuzzleParams &params, PageContent &page) {
  if (auto it = page_json.find("hashseeds"); it != page_json.end()) {
    if (!it->is_array()) throw PageError("'hashseeds' is not a list");
    for (const auto &seed : *it)
      add_group(page, PageContent::Puzzle::cpu, {seed_string(seed, "hashseeds")},
                params.cpu_iterations);
  }
  if (auto it = page_json.find("multiseeds"); it != page_json.end()) {
    if (!it->is_array()) throw PageError("'multiseeds' is not a list");
    for (const auto &group : *it) {
      if (!group.is_array() || group.empty()) throw PageError("'multiseeds' holds a bad group");
      std::vector<std::string> seeds;
      for (const auto &seed : group) seeds.push_back(seed_string(seed, "multiseeds"));
      add_group(page, PageContent::Puzzle::core, seeds, params.core_iterations);
    }
  }
}

}  // namespace

std::optional<std::string> link_to_id(std::string_view link) {
  if (auto api = link.rfind("/api/"); api != std::string_view::npos) link.remove_prefix(api + 5);
  while (!link.empty() && link.back() == '/') link.remove_suffix(1);
  if (link.empty()) return std::nullopt;
  for (char c : link)
    if (!is_id_char(c)) return std::nullopt;
  return std::string(link);
}

PageContent parse_page(std::string_view body, const PuzzleParams &params) {
  json page = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (page.is_discarded()) throw PageError("body is not JSON");
  if (!page.is_object()) throw PageError("body is not a JSON object");
  PageContent content;
  if (auto it = page.find("page_id"); it != page.end() && it->is_string())
    content.page_id = it->get<std::string>();
  if (auto it = page.find("page_type"); it != page.end() && it->is_string())
    content.page_type = it->get<std::string>();
  content.links = parse_links(page);
  if (auto it = page.find("hashseed"); it != page.end()) parse_hashseed(*it, params, content);
  parse_seed_lists(page, params, content);
  return content;
}

}  // namespace concur::crawl
