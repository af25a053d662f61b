#include "crawl/frontier.hpp"

namespace concur::crawl {

LocalFrontier::LocalFrontier(std::string start, int max_pages) : max_pages_(max_pages) {
  seen_.insert(start);
  queue_.push_back(std::move(start));
}

LocalFrontier::LocalFrontier(const std::vector<std::string> &start, int max_pages)
    : max_pages_(max_pages) {
  for (const auto &id : start)
    if (seen_.insert(id).second) queue_.push_back(id);
}

bool LocalFrontier::over() const {
  return aborted_ || (max_pages_ > 0 && taken_ >= max_pages_) ||
         (queue_.empty() && in_flight_ == 0);
}

TakeResult LocalFrontier::take(std::string &page_id, bool wait) {
  std::unique_lock lock(mutex_);
  if (wait) changed_.wait(lock, [&] { return over() || !queue_.empty(); });
  if (over()) return TakeResult::finished;
  if (queue_.empty()) return TakeResult::again;
  page_id = std::move(queue_.front());
  queue_.pop_front();
  ++taken_;
  ++in_flight_;
  return TakeResult::task;
}

void LocalFrontier::done(const std::vector<std::string> &links) {
  {
    std::lock_guard lock(mutex_);
    --in_flight_;
    for (const auto &link : links)
      if (seen_.insert(link).second) queue_.push_back(link);
  }
  // Everyone: new tasks may feed several takers, and "finished" must reach all.
  changed_.notify_all();
}

void LocalFrontier::abort() {
  {
    std::lock_guard lock(mutex_);
    aborted_ = true;
  }
  changed_.notify_all();
}

}  // namespace concur::crawl
