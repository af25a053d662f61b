// What a fetched page means to a crawler: its links, and the CPU work (hash
// puzzles) standing between the crawler and a hidden link. PROTOCOL.md.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "compute/puzzles.hpp"
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

using compute::WorkUnit;

struct PageContent {
  using Puzzle = compute::Puzzle;
  using PuzzleGroup = compute::PuzzleGroup;

  std::string page_id;
  std::string page_type;
  std::vector<std::string> links;  // page ids, in the order the page lists them
  std::vector<PuzzleGroup> puzzles;
  std::vector<WorkUnit> work;  // every group's units, in group order
};

class PageError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses a page body. Throws PageError for anything that is not a page.
PageContent parse_page(std::string_view body, const PuzzleParams &params);

// "/api/ab12", "ab12" and "http://host:port/api/ab12" all name page "ab12".
std::optional<std::string> link_to_id(std::string_view link);

// The links the page's solved puzzles reveal (compute::puzzle_answers).
inline std::vector<std::string> puzzle_answers(const PageContent &page,
                                               const std::vector<std::string> &results,
                                               int id_length) {
  return compute::puzzle_answers(page.puzzles, results, id_length);
}

}  // namespace concur::crawl
