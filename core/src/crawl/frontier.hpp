// The crawl frontier: pages discovered but not yet taken, de-duplication, the
// max_pages limit, and the "finished" decision. An interface, so that a shared
// (e.g. Redis-backed) frontier can replace the local one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "results/page_names.hpp"

namespace concur::crawl {

enum class TakeResult { task, again, finished };

class Frontier {
 public:
  virtual ~Frontier() = default;
  // A task to work on, or `again` (only when !wait: nothing ready, some in
  // flight), or `finished` (nothing left and nothing in flight, the page limit
  // reached, or aborted). A taken task is in flight until done() is called.
  virtual TakeResult take(std::string &page_id, bool wait) = 0;
  // Ends one task's flight, queueing the links never seen before, in order.
  virtual void done(const std::vector<std::string> &links) = 0;
  // Wakes every waiting taker with `finished`, now and from now on.
  virtual void abort() = 0;
};

// FIFO order, so one worker crawls breadth-first like the course's examples.
// Ids live in `names` (the run's, shared with its events): one copy of each
// serves both, and the frontier keeps one bit per page, queued or not.
class LocalFrontier final : public Frontier {
 public:
  // max_pages 0: no limit.
  LocalFrontier(const std::string &start, int max_pages,
                std::shared_ptr<results::PageNames> names = nullptr);
  // Several tasks known from the start (a compute experiment's), in order.
  LocalFrontier(const std::vector<std::string> &start, int max_pages,
                std::shared_ptr<results::PageNames> names = nullptr);
  TakeResult take(std::string &page_id, bool wait) override;
  void done(const std::vector<std::string> &links) override;
  void abort() override;

 private:
  bool over() const;                       // with the lock held
  void queue_if_new(std::string_view id);  // with the lock held

  std::mutex mutex_;
  std::condition_variable changed_;
  std::shared_ptr<results::PageNames> names_;  // every page ever queued, and more
  std::vector<bool> queued_;                   // by index in names_: ever queued
  std::deque<uint32_t> queue_;                 // indices in names_
  int max_pages_;
  int taken_ = 0;
  int in_flight_ = 0;
  bool aborted_ = false;
};

}  // namespace concur::crawl
