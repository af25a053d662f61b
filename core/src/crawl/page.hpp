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
  enum class Puzzle { cpu, core };
  // One hidden link: work units [first, first + count) reveal it. Our server
  // (and the course's) hides one link per puzzle page; the original server's
  // newest version hides one per link, in `hashseeds` / `multiseeds`.
  struct PuzzleGroup {
    Puzzle kind = Puzzle::cpu;
    size_t first = 0;
    size_t count = 0;
  };

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

// The links solved puzzles reveal, one per group, from the chain results of
// the page's work units (in unit order).
std::vector<std::string> puzzle_answers(const PageContent &page,
                                        const std::vector<std::string> &results, int id_length);

}  // namespace concur::crawl
