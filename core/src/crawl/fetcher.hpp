// How a page is fetched under the experiment's fetch policy (policy.hpp):
// 1 + retries attempts at most, what is retried, the wait before a retry,
// hedged copies. Blocking on a worker's own client, or started on an event
// loop with a completion callback; the same policy and the same records
// either way, for every strategy.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "crawl/hedge_plan.hpp"
#include "crawl/policy.hpp"
#include "crawl/task.hpp"
#include "http/loop.hpp"
#include "results/event.hpp"

namespace concur::crawl {

// Why a run ends when the server stopped accepting connections, and whether
// an error is that one (experiment/validity.hpp: server_unreachable).
std::string unreachable_error(const std::string &base_url, const std::string &why);
bool is_unreachable(const std::string &error);

// What a fetch needs of the run it belongs to.
class FetchHost {
 public:
  virtual ~FetchHost() = default;
  virtual double clock() const = 0;  // seconds on the run's steady clock
  virtual bool aborted() const = 0;
  virtual void abort(const std::string &why) = 0;
  // Every request, as it is booked: the worker's on_response hook.
  virtual void on_response(Worker &worker, const results::Event &request) = 0;
  // The index that names `page` in this run's events.
  virtual uint32_t page_index(const std::string &page) = 0;
};

class Fetcher {
 public:
  // `plan`: hedge: auto's copies per attempt; null under auto: a plan
  // without the graph, at the protocol's failure rate.
  Fetcher(std::string base_url, int retries, FetchPolicy policy, FetchHost &host,
          std::shared_ptr<const HedgePlan> plan = nullptr);

  // Blocking, on the worker's client (hedged copies on the worker's own
  // loop). False: the page failed; task.failure says why.
  bool fetch(Worker &worker, Task &task);
  // On an event loop owned by `worker`'s thread: returns at once, `done(ok)`
  // runs from a later loop.run_once().
  void fetch_async(Worker &worker, http::Loop &loop, Task &task, std::function<void(bool)> done);

 private:
  // One page's fetch across its attempts.
  struct Attempts {
    int made = 0;              // attempts so far (a hedged attempt is one, whatever its copies)
    int refused_in_a_row = 0;  // the latest attempts that could not connect
    bool retryable = false;    // the last attempt failed in a way worth retrying
    std::string last_error;
    std::string last_failure;  // http::failure_kind of the last failed attempt
  };
  struct AsyncFetch;  // an event-loop fetch in progress (fetcher.cpp)
  struct Copy {       // one request of an attempt, in flight
    int attempt;
    http::Loop::Id id;
    double start;
    bool hedged;  // an extra copy, not the attempt's first request
  };
  std::string url(const std::string &page) const;
  // Books one request (a copy of an attempt) in the worker's figures.
  void record(Worker &worker, const std::string &page, double start, const http::Response &r,
              bool hedged_copy, int attempt);
  void record_cancelled(Worker &worker, const std::string &page, const Copy &copy);
  void note_failure(Attempts &attempts, const http::Response &r) const;
  // The wait before the next attempt: the policy's backoff, and at least the
  // connect backoff after a refused connect.
  double retry_wait_ms(const Attempts &attempts, const std::string &page) const;
  // After a failed attempt: true to try again; false marks the task failed.
  bool try_again(Worker &worker, Task &task, Attempts &attempts);
  bool fetch_hedged(Worker &worker, Task &task);
  void start_attempt(const std::shared_ptr<AsyncFetch> &f);
  int copies_for(const std::string &page, int attempt) const;
  void send_copy(const std::shared_ptr<AsyncFetch> &f, bool hedged_copy);
  void on_copy(const std::shared_ptr<AsyncFetch> &f, const Copy &copy, http::Response r);
  void cancel_copies(const std::shared_ptr<AsyncFetch> &f);

  std::string base_url_;
  int retries_;
  FetchPolicy policy_;
  FetchHost &host_;
  std::shared_ptr<const HedgePlan> plan_;  // set under hedge: auto
};

}  // namespace concur::crawl
