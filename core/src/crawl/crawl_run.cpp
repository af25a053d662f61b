#include "crawl/crawl_run.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include <time.h>
#include <unistd.h>

#include "crawl/compute_tasks.hpp"
#include "crawl/page_tasks.hpp"
#include "hash/md5_chain.hpp"
#include "hash/md5_lanes.hpp"
#include "script/kernels.hpp"

namespace concur::crawl {
namespace {

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

namespace {

// The kind of task a run's settings describe: compute items, else pages.
std::unique_ptr<TaskKind> kind_of(const CrawlSettings &s, Fetcher &fetcher) {
  if (s.compute) return std::make_unique<ComputeTasks>(s.compute, s.gil);
  return std::make_unique<PageTasks>(s.start_id, s.puzzle, fetcher);
}

}  // namespace

CrawlRun::CrawlRun(CrawlSettings settings, std::unique_ptr<Frontier> frontier)
    : settings_(std::move(settings)),
      started_(settings_.started_at.value_or(std::chrono::steady_clock::now())),
      fetcher_(settings_.base_url, settings_.retries, settings_.policy, *this,
               settings_.hedge_plan),
      kind_(kind_of(settings_, fetcher_)),
      frontier_(frontier ? std::move(frontier)
                         : std::make_unique<LocalFrontier>(settings_.worker_only
                                                               ? std::vector<std::string>{}
                                                               : kind_->initial_tasks(),
                                                           settings_.max_pages, names_)) {}

double CrawlRun::clock() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

std::unique_ptr<Worker> CrawlRun::open_worker() {
  auto worker = std::make_unique<Worker>(next_worker_id_++, settings_.timeout_ms);
  if (settings_.hooks) {
    try {
      worker->set_hooks(
          std::make_unique<script::WorkerHooks>(settings_.hooks, settings_.run_info, worker->id()));
    } catch (const script::ScriptError &e) {
      script_failed(e);
    }
  }
  return worker;
}

void CrawlRun::script_failed(const script::ScriptError &e) {
  {
    std::lock_guard lock(mutex_);
    if (error_.empty()) script_traceback_ = e.traceback();
  }
  abort(e.what());
}

std::string CrawlRun::script_traceback() const {
  std::lock_guard lock(mutex_);
  return script_traceback_;
}

void CrawlRun::on_response(Worker &worker, const results::Event &request) {
  if (worker.hooks() == nullptr || worker.forked()) return;
  const bool cancelled = request.status == results::Event::kCancelled;
  try {
    worker.hooks()->on_response(
        {names_->name(request.page), cancelled ? 0 : static_cast<int>(request.status),
         (request.end_s - request.start_s) * 1000.0, request.bytes, request.attempt, cancelled});
  } catch (const script::ScriptError &e) {
    script_failed(e);
  }
}

void CrawlRun::replay_responses(Worker &worker, const results::Events &events) {
  for (const auto &e : events)
    if (e.kind == results::Event::Kind::request) on_response(worker, e);
}

std::vector<std::string> CrawlRun::follow(Worker &worker, Task &task,
                                          std::vector<std::string> links) {
  if (worker.hooks() == nullptr || !settings_.hooks->defines(script::Hook::on_page) || aborted())
    return links;
  std::vector<std::string> types;
  types.reserve(links.size());
  for (const auto &link : links) {
    std::string type;  // unknown unless the server gave its whole graph
    if (settings_.graph)
      if (auto it = settings_.graph->types.find(link); it != settings_.graph->types.end())
        type = it->second;
    types.push_back(std::move(type));
  }
  try {
    auto chosen = worker.hooks()->on_page({task.page_id, task.content.page_type, links, types,
                                           task.latency_ms, task.attempts, task.bytes},
                                          link_to_id);
    return chosen ? std::move(*chosen) : std::move(links);
  } catch (const script::ScriptError &e) {
    script_failed(e);
    return {};
  }
}

std::vector<std::unique_ptr<script::WorkerHooks>> CrawlRun::take_worker_hooks() {
  std::lock_guard lock(mutex_);
  auto hooks = std::move(finished_hooks_);
  std::sort(hooks.begin(), hooks.end(),
            [](const auto &a, const auto &b) { return a->id() < b->id(); });
  return hooks;
}

void CrawlRun::close_worker(std::unique_ptr<Worker> worker) {
  auto hooks = worker->release_hooks();
  std::lock_guard lock(mutex_);
  merged_.add(std::move(worker->stats()));
  if (hooks) finished_hooks_.push_back(std::move(hooks));
}

TakeResult CrawlRun::take(Worker &, std::unique_ptr<Task> &task, bool wait) {
  std::string id;
  TakeResult r = frontier_->take(id, wait);
  if (r == TakeResult::task) {
    task = std::make_unique<Task>();
    task->page_id = std::move(id);
    if (settings_.solve_order) task->urgency = settings_.solve_order->urgency(task->page_id);
  }
  return r;
}

bool CrawlRun::fetch(Worker &worker, Task &task) {
  return kind_->fetch(worker, task);
}

void CrawlRun::fetch_async(Worker &worker, http::Loop &loop, Task &task,
                           std::function<void(bool)> done) {
  if (aborted()) {
    task.failed = true;
    task.failure = "aborted";
    loop.post([done = std::move(done)] { done(false); });
    return;
  }
  kind_->fetch_async(worker, loop, task, std::move(done));
}

bool CrawlRun::interpret(Worker &, Task &task) {
  if (!task.fetched || task.failed || !kind_->interpret(task)) {
    task.failed = true;
    return false;
  }
  task.body.clear();
  task.results.assign(task.content.work.size(), std::string());
  task.unit_done.assign(task.content.work.size(), 0);
  return true;
}

void CrawlRun::solve(Worker &worker, Task &task, size_t index) {
  (void)task.content.work.at(index);  // a unit the task does not have: a strategy bug
  const double start = clock();
  const double cpu_start = thread_cpu_s();
  script::take_declared_wait_s();  // what earlier work on this thread declared is not ours
  try {
    task.results.at(index) = kind_->solve(worker, task, index);
  } catch (const script::ScriptError &e) {
    script_failed(e);  // a kernel's mistake is the script's: the run ends
    task.failed = true;
    task.failure = "kernel_error";
  } catch (const std::exception &e) {
    abort(e.what());
    task.failed = true;
    task.failure = "kernel_error";
  }
  task.unit_done.at(index) = 1;
  const double cpu = thread_cpu_s() - cpu_start;
  const double end = clock();
  worker.stats().events.push_back({.kind = results::Event::Kind::solve,
                                   .worker = worker.id(),
                                   .page = page_index(task.page_id),
                                   .start_s = start,
                                   .end_s = end,
                                   .status = static_cast<long>(index),
                                   .cpu_s = cpu,
                                   .wait_s = script::take_declared_wait_s()});
  worker.stats().solve_s += end - start;
  ++worker.stats().solves;
}

void CrawlRun::solve_lanes(Worker &worker, const std::vector<Task *> &tasks) {
  // Units grouped by their chain length and rule: one group fills the lanes
  // together. Groups run in the order their first task was given, so the
  // caller's first (a queue's most urgent) task is never behind the others.
  using Key = std::pair<uint64_t, hash::Rule>;
  std::vector<std::pair<Key, std::vector<std::pair<Task *, size_t>>>> groups;
  for (Task *task : tasks) {
    if (std::count(tasks.begin(), tasks.end(), task) > 1)
      throw std::invalid_argument("solve_tasks: page " + task->page_id + " given twice");
    const std::optional<hash::Rule> rule = kind_->chain_rule(*task);
    if (!rule) {
      solve(worker, *task, 0);  // not a chain: no lanes for it
      continue;
    }
    for (size_t i = 0; i < task->content.work.size(); ++i) {
      const Key key{task->content.work[i].iterations, *rule};
      auto group = std::find_if(groups.begin(), groups.end(),
                                [&key](const auto &g) { return g.first == key; });
      if (group == groups.end()) group = groups.insert(groups.end(), {key, {}});
      group->second.emplace_back(task, i);
    }
  }
  // The levels' costs are timed once per process, at the first call: before
  // this call's clocks start, so no event carries that time.
  (void)hash::lane_costs();
  for (const auto &[length, units] : groups) {
    std::vector<std::string> seeds;
    for (const auto &[task, i] : units) seeds.push_back(task->content.work.at(i).seed);
    const double start = clock();
    const double cpu_start = thread_cpu_s();
    auto results = hash::chains(seeds, length.first, length.second);
    const double cpu = thread_cpu_s() - cpu_start;
    const double end = clock();
    // Each unit's event spans the whole group (they ran together) and carries
    // its share of the CPU time.
    const double share = cpu / static_cast<double>(units.size());
    for (size_t u = 0; u < units.size(); ++u) {
      auto [task, i] = units[u];
      task->results.at(i) = std::move(results[u]);
      task->unit_done.at(i) = 1;
      worker.stats().events.push_back({.kind = results::Event::Kind::solve,
                                       .worker = worker.id(),
                                       .page = page_index(task->page_id),
                                       .start_s = start,
                                       .end_s = end,
                                       .status = static_cast<long>(i),
                                       .cpu_s = share});
    }
    worker.stats().solve_s += end - start;
    worker.stats().solves += static_cast<long>(units.size());
  }
}

void CrawlRun::complete(Worker &worker, std::unique_ptr<Task> task) {
  WorkerStats &stats = worker.stats();
  std::vector<std::string> links;
  if (task->failed || !task->fetched) {
    ++stats.pages_failed;
    // No reason recorded: the strategy gave the page up itself (a worker
    // process died, a fetch it could not start), or the run was ending.
    const char *gave_up = aborted() ? "aborted" : "lost";
    ++stats.failures[task->failure.empty() ? gave_up : task->failure];
    if (observer_) observer_->completed(false);
  } else {
    if (observer_) observer_->completed(true);
    bool solved = task->unit_done.size() == task->content.work.size() &&
                  std::all_of(task->unit_done.begin(), task->unit_done.end(),
                              [](char done) { return done != 0; });
    if (!solved) {
      abort("strategy completed page " + task->page_id + " before solving its puzzle");
    } else {
      try {
        links = follow(worker, *task, kind_->found(*task));
      } catch (const WrongAnswer &e) {
        abort(e.what());
      }
    }
    ++stats.pages_ok;
    stats.pages.push_back({page_index(task->page_id), names_->type_index(task->content.page_type),
                           results::LinkList(links)});
  }
  frontier_->done(links);
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
  frontier_->abort();
}

std::string CrawlRun::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

RunTotals CrawlRun::take_totals() {
  std::lock_guard lock(mutex_);
  RunTotals t{std::move(merged_), names_, metrics_, error_};
  merged_ = {};
  kind_->add_metrics(t.metrics);
  results::sort_by_page(t.work.pages);
  return t;
}

}  // namespace concur::crawl
