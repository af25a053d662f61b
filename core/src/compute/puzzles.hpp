// The CPU work a puzzle demands and the rule by which it reveals a link
// (PROTOCOL.md, "Puzzles"): independent md5 chains (work units), grouped one
// group per hidden link. A crawled page's puzzles and a compute experiment's
// `puzzles` tasks are the same work.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace concur::compute {

// One independent md5 chain.
struct WorkUnit {
  std::string seed;
  uint64_t iterations = 0;
};

// cpu work yields a whole id prefix, core work one character of the id per unit.
enum class Puzzle { cpu, core };

// One hidden link: work units [first, first + count) reveal it. Our server
// (and the course's) hides one link per puzzle page; the original server's
// newest version hides one per link, in `hashseeds` / `multiseeds`.
struct PuzzleGroup {
  Puzzle kind = Puzzle::cpu;
  size_t first = 0;
  size_t count = 0;
};

// The links solved puzzles reveal, one per group, from the chain results of
// the work units (in unit order).
std::vector<std::string> puzzle_answers(const std::vector<PuzzleGroup> &groups,
                                        const std::vector<std::string> &results, int id_length);

}  // namespace concur::compute
