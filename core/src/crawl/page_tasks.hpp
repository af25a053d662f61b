// A crawl's tasks: pages of the server, found through links. Fetched under
// the fetch policy (fetcher.hpp), parsed (page.hpp), their puzzles solved as
// md5 chains of the server's rule.
#pragma once

#include <string>
#include <vector>

#include "crawl/fetcher.hpp"
#include "crawl/page.hpp"
#include "crawl/task_kind.hpp"

namespace concur::crawl {

class PageTasks final : public TaskKind {
 public:
  PageTasks(std::string start_page, PuzzleParams puzzle, Fetcher &fetcher);
  std::vector<std::string> initial_tasks() const override { return {start_}; }
  bool fetch(Worker &worker, Task &task) override { return fetcher_.fetch(worker, task); }
  void fetch_async(Worker &worker, http::Loop &loop, Task &task,
                   std::function<void(bool)> done) override {
    fetcher_.fetch_async(worker, loop, task, std::move(done));
  }
  bool interpret(Task &task) override;
  std::optional<hash::Rule> chain_rule(const Task &) const override { return puzzle_.rule; }
  std::string solve(Worker &worker, const Task &task, size_t index) override;
  std::vector<std::string> found(Task &task) override;

 private:
  std::string start_;
  PuzzleParams puzzle_;
  Fetcher &fetcher_;
};

}  // namespace concur::crawl
