#include "crawl/compute_items.hpp"

namespace concur::crawl {

std::string check_answers(const ComputeItem &item, const std::vector<std::string> &results) {
  if (item.answers.empty()) return {};
  PageContent content;
  content.puzzles = item.groups;
  content.work = item.chains;
  const auto found = puzzle_answers(content, results, item.id_length);
  if (found == item.answers) return {};
  auto join = [](const std::vector<std::string> &ids) {
    std::string out;
    for (const auto &id : ids) out += (out.empty() ? "" : ",") + id;
    return out;
  };
  return "its chains reveal " + join(found) + ", but page " + item.page + " links to " +
         join(item.answers);
}

}  // namespace concur::crawl
