#include "compute/puzzles.hpp"

namespace concur::compute {

std::vector<std::string> puzzle_answers(const std::vector<PuzzleGroup> &groups,
                                        const std::vector<std::string> &results, int id_length) {
  std::vector<std::string> links;
  for (const auto &group : groups) {
    if (group.kind == Puzzle::cpu) {
      links.push_back(results.at(group.first).substr(0, static_cast<size_t>(id_length)));
      continue;
    }
    std::string id;
    for (size_t i = group.first; i < group.first + group.count; ++i) id += results.at(i).at(0);
    links.push_back(std::move(id));
  }
  return links;
}

}  // namespace concur::compute
