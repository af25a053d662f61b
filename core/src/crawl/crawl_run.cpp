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

bool CrawlRun::fetch(Worker &worker, Task &task) {
  const std::string url = settings_.base_url + "/api/" + task.page_id;
  WorkerStats &stats = worker.stats();
  bool never_connected = true;
  std::string last_error;
  for (int attempt = 0; attempt <= settings_.retries && !aborted(); ++attempt) {
    const double start = clock();
    http::Response r = worker.client().get(url);
    stats.events.push_back(
        {results::Event::Kind::request, worker.id(), task.page_id, start, clock(), r.status});
    ++stats.requests;
    if (attempt > 0) ++stats.retries;
    stats.latencies_ms.push_back(r.latency_ms);
    stats.connections += r.new_connections;
    if (r.ok()) {
      task.body = std::move(r.body);
      task.fetched = true;
      return true;
    }
    never_connected = never_connected && r.connect_failed;
    last_error = r.error;
    if (!r.retryable()) break;
  }
  task.failed = true;
  // Every attempt refused: the server is gone, and every later page would only
  // fail the same way. End the run with the reason rather than grind on.
  if (never_connected && !aborted())
    abort("server " + settings_.base_url + " unreachable: " + last_error);
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
  const auto bound = results::lower_bound(settings_.start_id, r.events, merged_.page_links,
                                          std::thread::hardware_concurrency());
  r.critical_path_s = bound.critical_path_s;
  r.cpu_bound_s = bound.cpu_bound_s;
  std::sort(r.events.begin(), r.events.end(),
            [](const results::Event &a, const results::Event &b) { return a.start_s < b.start_s; });
  r.error = error_;
  r.status = error_.empty() ? "ok" : "failed";
  return r;
}

}  // namespace concur::crawl
