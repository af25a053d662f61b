// The crawl frontier: pages discovered but not yet taken, de-duplication, the
// max_pages limit, and the "finished" decision. An interface, so that a shared
// (e.g. Redis-backed) frontier can replace the local one.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

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
class LocalFrontier final : public Frontier {
 public:
  // max_pages 0: no limit.
  LocalFrontier(std::string start, int max_pages);
  // Several tasks known from the start (a compute experiment's), in order.
  LocalFrontier(const std::vector<std::string> &start, int max_pages);
  TakeResult take(std::string &page_id, bool wait) override;
  void done(const std::vector<std::string> &links) override;
  void abort() override;

 private:
  bool over() const;  // with the lock held

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> queue_;
  std::unordered_set<std::string> seen_;
  int max_pages_;
  int taken_ = 0;
  int in_flight_ = 0;
  bool aborted_ = false;
};

}  // namespace concur::crawl
