// What a fetched page means to a crawler: its links, and the CPU work (hash
// puzzles) standing between the crawler and a hidden link. PROTOCOL.md.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hash/md5_chain.hpp"

namespace concur::crawl {

// How the server's puzzles are built: announced by its `/` (ext), given in
// the config, or taken from the embedded server's settings.
struct PuzzleParams {
  hash::Rule rule = hash::Rule::indexed;
  uint64_t cpu_iterations = 50'000'000;
  uint64_t core_iterations = 12'500'000;
  int id_length = 4;
};

// One independent md5 chain; `position` is where its answer goes:
// cpu work yields a whole id prefix, core work one character of the id.
struct WorkUnit {
  std::string seed;
  uint64_t iterations = 0;
};

struct PageContent {
  std::string page_id;
  std::string page_type;
  std::vector<std::string> links;  // page ids, in the order the page lists them
  enum class Puzzle { none, cpu, core } puzzle = Puzzle::none;
  std::vector<WorkUnit> work;  // cpu: one unit; core: id_length units
};

class PageError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses a page body. Throws PageError for anything that is not a page.
PageContent parse_page(std::string_view body, const PuzzleParams &params);

// "/api/ab12", "ab12" and "http://host:port/api/ab12" all name page "ab12".
std::optional<std::string> link_to_id(std::string_view link);

// The link a solved puzzle reveals, from the chain results of its work units
// (in unit order).
std::string puzzle_answer(PageContent::Puzzle puzzle, const std::vector<std::string> &results,
                          int id_length);

}  // namespace concur::crawl
