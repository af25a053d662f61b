#include "crawl/page_tasks.hpp"

namespace concur::crawl {

PageTasks::PageTasks(std::string start_page, PuzzleParams puzzle, Fetcher &fetcher)
    : start_(std::move(start_page)), puzzle_(puzzle), fetcher_(fetcher) {}

bool PageTasks::interpret(Task &task) {
  try {
    task.content = parse_page(task.body, puzzle_);
  } catch (const PageError &) {
    task.failed = true;
    task.failure = "bad_page";
    return false;
  }
  return true;
}

std::string PageTasks::solve(Worker &, const Task &task, size_t index) {
  const WorkUnit &unit = task.content.work.at(index);
  return hash::chain(unit.seed, unit.iterations, puzzle_.rule);
}

std::vector<std::string> PageTasks::found(Task &task) {
  std::vector<std::string> links = std::move(task.content.links);
  for (auto &answer : puzzle_answers(task.content, task.results, puzzle_.id_length))
    links.push_back(std::move(answer));
  return links;
}

}  // namespace concur::crawl
