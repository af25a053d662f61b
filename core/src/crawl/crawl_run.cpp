#include "crawl/crawl_run.hpp"

#include <algorithm>
#include <chrono>

#include "hash/md5_chain.hpp"

namespace concur::crawl {
namespace {

template <typename T>
void append(std::vector<T> &to, std::vector<T> &from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

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

void CrawlRun::close_worker(std::unique_ptr<Worker> worker) {
  WorkerStats &s = worker->stats();
  s.connections = worker->client().connections_opened();
  std::lock_guard lock(mutex_);
  merged_.requests += s.requests;
  merged_.retries += s.retries;
  merged_.pages_ok += s.pages_ok;
  merged_.pages_failed += s.pages_failed;
  merged_.solves += s.solves;
  merged_.solve_s += s.solve_s;
  merged_.connections += s.connections;
  append(merged_.latencies_ms, s.latencies_ms);
  append(merged_.pages_ok_ids, s.pages_ok_ids);
  append(merged_.events, s.events);
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

bool CrawlRun::fetch(Worker &worker, Task &task) {
  const std::string url = settings_.base_url + "/api/" + task.page_id;
  WorkerStats &stats = worker.stats();
  for (int attempt = 0; attempt <= settings_.retries && !aborted(); ++attempt) {
    const double start = clock();
    http::Response r = worker.client().get(url);
    stats.events.push_back({results::Event::Kind::request, worker.id(), task.page_id, start,
                            clock(), r.status});
    ++stats.requests;
    if (attempt > 0) ++stats.retries;
    stats.latencies_ms.push_back(r.latency_ms);
    if (r.ok()) {
      task.body = std::move(r.body);
      task.fetched = true;
      return true;
    }
    if (!r.retryable()) break;
  }
  task.failed = true;
  return false;
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
  task.results.at(index) = hash::chain(unit.seed, unit.iterations, settings_.puzzle.rule);
  const double end = clock();
  worker.stats().events.push_back({results::Event::Kind::solve, worker.id(), task.page_id, start,
                                   end, static_cast<long>(index)});
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
    } else if (task->content.puzzle != PageContent::Puzzle::none) {
      links.push_back(
          puzzle_answer(task->content.puzzle, task->results, settings_.puzzle.id_length));
    } else {
      links = std::move(task->content.links);
    }
    ++stats.pages_ok;
    stats.pages_ok_ids.push_back(task->page_id);
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
  std::sort(r.events.begin(), r.events.end(),
            [](const results::Event &a, const results::Event &b) { return a.start_s < b.start_s; });
  r.error = error_;
  r.status = error_.empty() ? "ok" : "failed";
  return r;
}

}  // namespace concur::crawl
