#include "crawl/frontier.hpp"

#include <algorithm>

namespace concur::crawl {

LocalFrontier::LocalFrontier(const std::string &start, int max_pages,
                             std::shared_ptr<results::PageNames> names)
    : LocalFrontier(std::vector<std::string>{start}, max_pages, std::move(names)) {}

LocalFrontier::LocalFrontier(const std::vector<std::string> &start, int max_pages,
                             std::shared_ptr<results::PageNames> names)
    : names_(names ? std::move(names) : std::make_shared<results::PageNames>()),
      max_pages_(max_pages) {
  for (const auto &id : start) queue_if_new(id);
}

void LocalFrontier::queue_if_new(std::string_view id) {
  const uint32_t index = names_->intern(id).first;
  if (index >= queued_.size()) queued_.resize(std::max<size_t>(index + 1, queued_.size() * 2));
  if (queued_[index]) return;
  queued_[index] = true;
  queue_.push_back(index);
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
  page_id = names_->name(queue_.front());
  queue_.pop_front();
  ++taken_;
  ++in_flight_;
  return TakeResult::task;
}

void LocalFrontier::done(const std::vector<std::string> &links) {
  {
    std::lock_guard lock(mutex_);
    --in_flight_;
    for (const auto &link : links) queue_if_new(link);
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
