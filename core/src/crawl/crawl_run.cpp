#include "crawl/crawl_run.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include <time.h>
#include <unistd.h>

#include "hash/md5_chain.hpp"
#include "results/lower_bound.hpp"

namespace concur::crawl {
namespace {

template <typename T>
void append(std::vector<T> &to, std::vector<T> &from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

Worker::Worker(int id, long timeout_ms) : id_(id), owner_pid_(::getpid()), client_(timeout_ms) {}

void Worker::adopt_if_forked() {
  if (owner_pid_ == ::getpid()) return;
  owner_pid_ = ::getpid();
  stats_ = WorkerStats{};
}

CrawlRun::CrawlRun(CrawlSettings settings)
    : settings_(std::move(settings)),
      started_(std::chrono::steady_clock::now()),
      frontier_(settings_.start_id, settings_.max_pages) {}

double CrawlRun::clock() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

std::unique_ptr<Worker> CrawlRun::open_worker() {
  return std::make_unique<Worker>(next_worker_id_++, settings_.timeout_ms);
}

void WorkerStats::add(WorkerStats &&s) {
  requests += s.requests;
  retries += s.retries;
  pages_ok += s.pages_ok;
  pages_failed += s.pages_failed;
  solves += s.solves;
  solve_s += s.solve_s;
  connections += s.connections;
  append(latencies_ms, s.latencies_ms);
  append(pages_ok_ids, s.pages_ok_ids);
  append(events, s.events);
  append(page_links, s.page_links);
  append(page_types, s.page_types);
}

void CrawlRun::close_worker(std::unique_ptr<Worker> worker) {
  std::lock_guard lock(mutex_);
  merged_.add(std::move(worker->stats()));
}

TakeResult CrawlRun::take(Worker &, std::unique_ptr<Task> &task, bool wait) {
  std::string id;
  TakeResult r = frontier_.take(id, wait);
  if (r == TakeResult::task) {
    task = std::make_unique<Task>();
    task->page_id = std::move(id);
  }
  return r;
}

std::string CrawlRun::url(const Task &task) const {
  return settings_.base_url + "/api/" + task.page_id;
}

CrawlRun::Verdict CrawlRun::settle(Worker &worker, Task &task, Attempts &attempts, double start,
                                   http::Response r) {
  WorkerStats &stats = worker.stats();
  stats.events.push_back(
      {results::Event::Kind::request, worker.id(), task.page_id, start, clock(), r.status});
  ++stats.requests;
  if (attempts.made++ > 0) ++stats.retries;
  stats.latencies_ms.push_back(r.latency_ms);
  stats.connections += r.new_connections;
  if (r.ok()) {
    task.body = std::move(r.body);
    task.fetched = true;
    return Verdict::fetched;
  }
  attempts.never_connected = attempts.never_connected && r.connect_failed;
  attempts.last_error = r.error;
  if (r.retryable() && attempts.made <= settings_.retries && !aborted()) return Verdict::retry;
  task.failed = true;
  // Every attempt refused: the server is gone, and every later page would only
  // fail the same way. End the run with the reason rather than grind on.
  if (attempts.never_connected && !aborted())
    abort("server " + settings_.base_url + " unreachable: " + attempts.last_error);
  return Verdict::failed;
}

bool CrawlRun::fetch(Worker &worker, Task &task) {
  Attempts attempts;
  const std::string page_url = url(task);
  for (Verdict v = Verdict::retry; !aborted();) {
    const double start = clock();
    v = settle(worker, task, attempts, start, worker.client().get(page_url));
    if (v != Verdict::retry) return v == Verdict::fetched;
  }
  task.failed = true;
  return false;
}

void CrawlRun::fetch_async(Worker &worker, http::Loop &loop, Task &task,
                           std::function<void(bool)> done) {
  if (aborted()) {
    task.failed = true;
    loop.post([done = std::move(done)] { done(false); });
    return;
  }
  attempt_async(worker, loop, task,
                std::make_shared<std::pair<Attempts, std::function<void(bool)>>>(Attempts{},
                                                                                 std::move(done)));
}

void CrawlRun::attempt_async(
    Worker &worker, http::Loop &loop, Task &task,
    std::shared_ptr<std::pair<Attempts, std::function<void(bool)>>> state) {
  const double start = clock();
  loop.get(url(task), [this, &worker, &loop, &task, state, start](http::Response r) {
    switch (settle(worker, task, state->first, start, std::move(r))) {
      case Verdict::retry:
        return attempt_async(worker, loop, task, state);
      case Verdict::fetched:
        return state->second(true);
      case Verdict::failed:
        return state->second(false);
    }
  });
}

bool CrawlRun::interpret(Worker &, Task &task) {
  if (!task.fetched || task.failed) {
    task.failed = true;
    return false;
  }
  try {
    task.content = parse_page(task.body, settings_.puzzle);
  } catch (const PageError &) {
    task.failed = true;
    return false;
  }
  task.body.clear();
  task.results.assign(task.content.work.size(), std::string());
  return true;
}

void CrawlRun::solve(Worker &worker, Task &task, size_t index) {
  const WorkUnit &unit = task.content.work.at(index);
  const double start = clock();
  const double cpu_start = thread_cpu_s();
  task.results.at(index) = hash::chain(unit.seed, unit.iterations, settings_.puzzle.rule);
  const double cpu = thread_cpu_s() - cpu_start;
  const double end = clock();
  worker.stats().events.push_back({results::Event::Kind::solve, worker.id(), task.page_id, start,
                                   end, static_cast<long>(index), cpu});
  worker.stats().solve_s += end - start;
  ++worker.stats().solves;
}

void CrawlRun::complete(Worker &worker, std::unique_ptr<Task> task) {
  WorkerStats &stats = worker.stats();
  std::vector<std::string> links;
  if (task->failed || !task->fetched) {
    ++stats.pages_failed;
  } else {
    bool solved = std::none_of(task->results.begin(), task->results.end(),
                               [](const std::string &r) { return r.empty(); });
    if (!solved) {
      abort("strategy completed page " + task->page_id + " before solving its puzzle");
    } else {
      links = std::move(task->content.links);
      for (auto &answer : puzzle_answers(task->content, task->results, settings_.puzzle.id_length))
        links.push_back(std::move(answer));
    }
    ++stats.pages_ok;
    stats.pages_ok_ids.push_back(task->page_id);
    stats.page_links.emplace_back(task->page_id, links);
    stats.page_types.emplace_back(task->page_id, task->content.page_type);
  }
  frontier_.done(links);
}

void CrawlRun::metric(const std::string &name, double value, bool max) {
  std::lock_guard lock(mutex_);
  auto [it, fresh] = metrics_.try_emplace(name, value);
  if (!fresh) it->second = max ? std::max(it->second, value) : it->second + value;
}

void CrawlRun::abort(const std::string &why) {
  {
    std::lock_guard lock(mutex_);
    if (error_.empty()) error_ = why;
  }
  aborted_ = true;
  frontier_.abort();
}

std::string CrawlRun::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

results::RunResult CrawlRun::totals() const {
  std::lock_guard lock(mutex_);
  results::RunResult r;
  r.pages_ok = merged_.pages_ok;
  r.pages_failed = merged_.pages_failed;
  r.requests = merged_.requests;
  r.retries_used = merged_.retries;
  r.solves = merged_.solves;
  r.solve_s = merged_.solve_s;
  r.connections = merged_.connections;
  r.latency_ms = results::summarize(merged_.latencies_ms);
  r.metrics = metrics_;
  r.pages = merged_.pages_ok_ids;
  std::sort(r.pages.begin(), r.pages.end());
  r.events = merged_.events;
  const results::PageTypes types(merged_.page_types.begin(), merged_.page_types.end());
  const auto bound = results::lower_bound(settings_.start_id, r.events, merged_.page_links,
                                          std::thread::hardware_concurrency(), types);
  r.critical_path_s = bound.critical_path_s;
  r.cpu_bound_s = bound.cpu_bound_s;
  std::sort(r.events.begin(), r.events.end(),
            [](const results::Event &a, const results::Event &b) { return a.start_s < b.start_s; });
  r.error = error_;
  r.status = error_.empty() ? "ok" : "failed";
  return r;
}

}  // namespace concur::crawl
