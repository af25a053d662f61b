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

// cpu pages: "hashseed": "<seed>"; core pages: "hashseed": {"1": s1, "2": s2, ...}.
void parse_puzzle(const json &seed, const PuzzleParams &params, PageContent &page) {
  if (seed.is_string()) {
    page.puzzle = PageContent::Puzzle::cpu;
    page.work.push_back({seed.get<std::string>(), params.cpu_iterations});
    return;
  }
  if (!seed.is_object()) throw PageError("'hashseed' is neither a string nor an object");
  page.puzzle = PageContent::Puzzle::core;
  for (size_t pos = 1; pos <= seed.size(); ++pos) {
    auto it = seed.find(std::to_string(pos));
    if (it == seed.end() || !it->is_string())
      throw PageError("'hashseed' lacks position " + std::to_string(pos));
    page.work.push_back({it->get<std::string>(), params.core_iterations});
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
  if (auto it = page.find("hashseed"); it != page.end()) parse_puzzle(*it, params, content);
  return content;
}

std::string puzzle_answer(PageContent::Puzzle puzzle, const std::vector<std::string> &results,
                          int id_length) {
  const auto len = static_cast<size_t>(id_length);
  if (puzzle == PageContent::Puzzle::cpu) return results.at(0).substr(0, len);
  std::string id;
  for (const auto &r : results) id += r.at(0);
  return id;
}

}  // namespace concur::crawl
