#include "crawl/fetcher.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace concur::crawl {

std::string unreachable_error(const std::string &base_url, const std::string &why) {
  return "server " + base_url + " unreachable: " + why;
}

bool is_unreachable(const std::string &error) {
  return error.starts_with("server ") && error.find(" unreachable: ") != std::string::npos;
}

Fetcher::Fetcher(std::string base_url, int retries, FetchPolicy policy, FetchHost &host,
                 std::shared_ptr<const HedgePlan> plan)
    : base_url_(std::move(base_url)),
      retries_(retries),
      policy_(std::move(policy)),
      host_(host),
      plan_(std::move(plan)) {
  if (policy_.hedge == FetchPolicy::kHedgeAuto && plan_ == nullptr)
    plan_ = std::make_shared<const HedgePlan>(HedgePlan::without_graph(kProtocolFailureRate));
}

int Fetcher::copies_for(const std::string &page, int attempt) const {
  if (plan_ != nullptr) return plan_->copies(page, attempt);
  return attempt > 1 && policy_.hedge > 1 ? policy_.hedge : 1;
}

std::string Fetcher::url(const std::string &page) const {
  return base_url_ + "/api/" + page;
}

void Fetcher::record(Worker &worker, const std::string &page, double start, const http::Response &r,
                     bool hedged_copy, int attempt) {
  WorkerStats &stats = worker.stats();
  stats.events.push_back({.kind = results::Event::Kind::request,
                          .worker = worker.id(),
                          .page = host_.page_index(page),
                          .attempt = attempt,
                          .start_s = start,
                          .end_s = host_.clock(),
                          .status = r.status,
                          .bytes = static_cast<long>(r.body.size())});
  // A refused connect sent nothing: no request, and its microseconds are no
  // latency. Latency is what an answer took, so only answers are samples.
  if (r.connect_failed)
    ++stats.connect_failures;
  else
    ++stats.requests;
  if (hedged_copy) ++stats.hedged;
  if (r.status > 0) stats.latencies_ms.push_back(r.latency_ms);
  stats.connections += r.new_connections;
  host_.on_response(worker, stats.events.back());
}

void Fetcher::record_cancelled(Worker &worker, const std::string &page, const Copy &copy) {
  WorkerStats &stats = worker.stats();
  stats.events.push_back({.kind = results::Event::Kind::request,
                          .worker = worker.id(),
                          .page = host_.page_index(page),
                          .attempt = copy.attempt,
                          .start_s = copy.start,
                          .end_s = host_.clock(),
                          .status = results::Event::kCancelled});
  ++stats.requests;
  ++stats.cancelled;
  if (copy.hedged) ++stats.hedged;
  host_.on_response(worker, stats.events.back());
}

void Fetcher::note_failure(Attempts &attempts, const http::Response &r) const {
  attempts.refused_in_a_row = r.connect_failed ? attempts.refused_in_a_row + 1 : 0;
  attempts.retryable = attempts.retryable || worth_retrying(r, policy_.retry_on);
  if (!r.error.empty()) attempts.last_error = r.error;
  attempts.last_failure = http::failure_kind(r);
}

double Fetcher::retry_wait_ms(const Attempts &attempts, const std::string &page) const {
  const double wait = backoff_ms(policy_.backoff, page, attempts.made);
  if (attempts.refused_in_a_row == 0) return wait;
  return std::max(wait, connect_backoff_ms(attempts.refused_in_a_row));
}

bool Fetcher::try_again(Worker &worker, Task &task, Attempts &attempts) {
  const bool refused_too_often = attempts.refused_in_a_row > kConnectRetries;
  if (attempts.retryable && attempts.made <= retries_ && !refused_too_often && !host_.aborted()) {
    ++worker.stats().retries;
    return true;
  }
  task.failed = true;
  task.failure = attempts.last_failure;
  ++worker.stats().give_ups;
  // Given up on a refused connect (after the connect backoff, unless the
  // policy allows fewer attempts): the server is gone, and every later page
  // would only fail the same way. End the run with the reason rather than grind on.
  if (attempts.refused_in_a_row > 0 && !host_.aborted())
    host_.abort(unreachable_error(base_url_, attempts.last_error));
  return false;
}

bool Fetcher::fetch(Worker &worker, Task &task) {
  if (policy_.hedging()) return fetch_hedged(worker, task);
  Attempts attempts;
  const std::string page_url = url(task.page_id);
  while (!host_.aborted()) {
    const double start = host_.clock();
    http::Response r = worker.client().get(page_url);
    record(worker, task.page_id, start, r, false, attempts.made + 1);
    ++attempts.made;
    if (r.ok()) {
      task.latency_ms = r.latency_ms;
      task.attempts = attempts.made;
      task.bytes = static_cast<long>(r.body.size());
      task.body = std::move(r.body);
      task.fetched = true;
      return true;
    }
    attempts.retryable = false;
    note_failure(attempts, r);
    if (!try_again(worker, task, attempts)) return false;
    // The backoff the policy asks for: this worker has nothing else to do.
    const double wait = retry_wait_ms(attempts, task.page_id);
    if (wait > 0) std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(wait));
  }
  task.failed = true;
  task.failure = "aborted";  // the run ended first
  return false;
}

// Hedged copies need several requests in flight: the worker's own loop carries
// them, driven here until the page is settled.
bool Fetcher::fetch_hedged(Worker &worker, Task &task) {
  bool settled = false, ok = false;
  http::Loop &loop = worker.loop();
  fetch_async(worker, loop, task, [&](bool fetched) {
    settled = true;
    ok = fetched;
  });
  while (!settled) loop.run_once(-1);
  return ok;
}

struct Fetcher::AsyncFetch {
  Worker &worker;
  http::Loop &loop;
  Task &task;        // not to be touched once settled: the strategy may have finished it
  std::string page;  // the task's id, for twins that answer after it is settled
  std::function<void(bool)> done;
  Attempts attempts;
  std::vector<Copy> copies;  // of the current attempt, in flight
  bool settled = false;      // done() has run
};

void Fetcher::fetch_async(Worker &worker, http::Loop &loop, Task &task,
                          std::function<void(bool)> done) {
  if (host_.aborted()) {
    task.failed = true;
    task.failure = "aborted";
    loop.post([done = std::move(done)] { done(false); });
    return;
  }
  start_attempt(std::make_shared<AsyncFetch>(
      AsyncFetch{worker, loop, task, task.page_id, std::move(done), {}, {}, false}));
}

// One attempt: one request, or `hedge` copies of it once an attempt has
// failed (under auto: what the page's slack asks for); a copy unanswered
// after hedge_after_ms gets a twin.
void Fetcher::start_attempt(const std::shared_ptr<AsyncFetch> &f) {
  const FetchPolicy &policy = policy_;
  const int attempt = ++f->attempts.made;
  f->attempts.retryable = false;
  const int copies = copies_for(f->page, attempt);
  for (int i = 0; i < copies; ++i) send_copy(f, i > 0);
  if (policy.hedge_after_ms > 0)
    f->loop.after(policy.hedge_after_ms, [this, f, attempt] {
      if (!f->settled && f->attempts.made == attempt && !f->copies.empty()) send_copy(f, true);
    });
}

void Fetcher::send_copy(const std::shared_ptr<AsyncFetch> &f, bool hedged_copy) {
  const double start = host_.clock();
  const int attempt = f->attempts.made;
  // get() never calls back before it returns, so the id is set before it is read.
  auto id = std::make_shared<http::Loop::Id>(0);
  *id = f->loop.get(url(f->page), [this, f, attempt, start, hedged_copy, id](http::Response r) {
    on_copy(f, {attempt, *id, start, hedged_copy}, std::move(r));
  });
  f->copies.push_back({attempt, *id, start, hedged_copy});
}

// The winner's twins still in flight: stopped, and booked as sent (the server
// may well have seen them) with no answer.
void Fetcher::cancel_copies(const std::shared_ptr<AsyncFetch> &f) {
  for (const Copy &copy : f->copies)
    if (f->loop.cancel(copy.id)) record_cancelled(f->worker, f->page, copy);
  f->copies.clear();
}

void Fetcher::on_copy(const std::shared_ptr<AsyncFetch> &f, const Copy &copy, http::Response r) {
  record(f->worker, f->page, copy.start, r, copy.hedged, copy.attempt);
  std::erase_if(f->copies, [&copy](const Copy &c) { return c.id == copy.id; });
  // A twin that finished in the same loop turn as the winner: counted, no more.
  if (f->settled) return;
  if (r.ok()) {
    f->settled = true;
    cancel_copies(f);
    f->task.latency_ms = r.latency_ms;
    f->task.attempts = copy.attempt;
    f->task.bytes = static_cast<long>(r.body.size());
    f->task.body = std::move(r.body);
    f->task.fetched = true;
    return f->done(true);
  }
  note_failure(f->attempts, r);
  if (!f->copies.empty() || copy.attempt != f->attempts.made) return;  // copies still out
  if (!try_again(f->worker, f->task, f->attempts)) {
    f->settled = true;
    return f->done(false);
  }
  const double wait = retry_wait_ms(f->attempts, f->page);
  if (wait > 0)
    f->loop.after(wait, [this, f] { start_attempt(f); });
  else
    start_attempt(f);
}

}  // namespace concur::crawl
