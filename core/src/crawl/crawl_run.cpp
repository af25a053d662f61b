#include "crawl/crawl_run.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include <time.h>
#include <unistd.h>

#include "hash/md5_chain.hpp"
#include "hash/md5_lanes.hpp"

namespace concur::crawl {
namespace {

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// The tasks queued when the run starts: the start page, or every compute task.
std::vector<std::string> initial_tasks(const CrawlSettings &settings) {
  if (settings.worker_only) return {};
  if (!settings.compute) return {settings.start_id};
  std::vector<std::string> ids;
  for (size_t i = 0; i < settings.compute->size(); ++i) ids.push_back("t" + std::to_string(i));
  return ids;
}

}  // namespace

CrawlRun::CrawlRun(CrawlSettings settings)
    : settings_(std::move(settings)),
      started_(settings_.started_at.value_or(std::chrono::steady_clock::now())),
      fetcher_(settings_.base_url, settings_.retries, settings_.policy, *this),
      frontier_(initial_tasks(settings_), settings_.max_pages),
      gil_(settings_.gil ? std::make_unique<script::Gil>() : nullptr) {}

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
    worker.hooks()->on_response({request.page, cancelled ? 0 : static_cast<int>(request.status),
                                 (request.end_s - request.start_s) * 1000.0, request.bytes,
                                 request.attempt, cancelled});
  } catch (const script::ScriptError &e) {
    script_failed(e);
  }
}

void CrawlRun::replay_responses(Worker &worker, const std::vector<results::Event> &events) {
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
  TakeResult r = frontier_.take(id, wait);
  if (r == TakeResult::task) {
    task = std::make_unique<Task>();
    task->page_id = std::move(id);
  }
  return r;
}

bool CrawlRun::fetch(Worker &worker, Task &task) {
  if (settings_.compute) {  // nothing to fetch: the task is its arguments
    task.fetched = true;
    return true;
  }
  return fetcher_.fetch(worker, task);
}

void CrawlRun::fetch_async(Worker &worker, http::Loop &loop, Task &task,
                           std::function<void(bool)> done) {
  if (settings_.compute && !aborted()) {
    task.fetched = true;
    loop.post([done = std::move(done)] { done(true); });
    return;
  }
  fetcher_.fetch_async(worker, loop, task, std::move(done));
}

bool CrawlRun::interpret(Worker &, Task &task) {
  if (!task.fetched || task.failed) {
    task.failed = true;
    return false;
  }
  if (const ComputeItem *item = compute_item(task)) {
    // md5 tasks are chains like a page's puzzles, so solve_tasks can put
    // them in SIMD lanes; any other kernel is one unit of work.
    task.content.page_id = task.page_id;
    task.content.page_type = item->label;
    task.content.work = item->chains;
    if (item->chains.empty()) task.content.work = {WorkUnit{task.page_id, 0}};
  } else {
    try {
      task.content = parse_page(task.body, settings_.puzzle);
    } catch (const PageError &) {
      task.failed = true;
      task.failure = "bad_page";
      return false;
    }
  }
  task.body.clear();
  task.results.assign(task.content.work.size(), std::string());
  task.unit_done.assign(task.content.work.size(), 0);
  return true;
}

const ComputeItem *CrawlRun::compute_item(const Task &task) const {
  if (!settings_.compute || task.page_id.size() < 2 || task.page_id[0] != 't') return nullptr;
  const size_t index = std::stoul(task.page_id.substr(1));
  return index < settings_.compute->size() ? &(*settings_.compute)[index] : nullptr;
}

std::string CrawlRun::run_compute(Worker &worker, const ComputeItem &item, const WorkUnit &unit) {
  if (!item.chains.empty()) return hash::chain(unit.seed, unit.iterations, item.rule);
  if (item.builtin) return compute::run_kernel(*item.builtin, item.args);
  return worker.lua_kernels(item.lua_file, gil_.get()).call(item.lua_function, item.args);
}

void CrawlRun::solve(Worker &worker, Task &task, size_t index) {
  const WorkUnit &unit = task.content.work.at(index);
  const double start = clock();
  const double cpu_start = thread_cpu_s();
  if (const ComputeItem *item = compute_item(task)) {
    try {
      task.results.at(index) = run_compute(worker, *item, unit);
    } catch (const script::ScriptError &e) {
      script_failed(e);  // a kernel's mistake is the script's: the run ends
      task.failed = true;
      task.failure = "kernel_error";
    } catch (const std::exception &e) {
      abort("task " + task.page_id + " (" + item->label + "): " + e.what());
      task.failed = true;
      task.failure = "kernel_error";
    }
  } else {
    task.results.at(index) = hash::chain(unit.seed, unit.iterations, settings_.puzzle.rule);
  }
  task.unit_done.at(index) = 1;
  const double cpu = thread_cpu_s() - cpu_start;
  const double end = clock();
  worker.stats().events.push_back({results::Event::Kind::solve, worker.id(), task.page_id, start,
                                   end, static_cast<long>(index), cpu});
  worker.stats().solve_s += end - start;
  ++worker.stats().solves;
}

void CrawlRun::solve_lanes(Worker &worker, const std::vector<Task *> &tasks) {
  // Units grouped by their chain length and rule: one group fills the lanes
  // together.
  std::map<std::pair<uint64_t, hash::Rule>, std::vector<std::pair<Task *, size_t>>> groups;
  for (Task *task : tasks) {
    if (std::count(tasks.begin(), tasks.end(), task) > 1)
      throw std::invalid_argument("solve_tasks: page " + task->page_id + " given twice");
    const ComputeItem *item = compute_item(*task);
    if (item != nullptr && item->chains.empty()) {
      solve(worker, *task, 0);  // not a chain: no lanes for it
      continue;
    }
    const hash::Rule rule = item != nullptr ? item->rule : settings_.puzzle.rule;
    for (size_t i = 0; i < task->content.work.size(); ++i)
      groups[{task->content.work[i].iterations, rule}].emplace_back(task, i);
  }
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
      worker.stats().events.push_back({results::Event::Kind::solve, worker.id(), task->page_id,
                                       start, end, static_cast<long>(i), share});
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
    const ComputeItem *item = compute_item(*task);
    const std::string wrong = solved && item ? check_answers(*item, task->results) : "";
    if (!solved) {
      abort("strategy completed page " + task->page_id + " before solving its puzzle");
    } else if (!wrong.empty()) {
      abort("task " + task->page_id + " (" + item->label + " page " + item->page +
            ") was solved wrong: " + wrong);
    } else {
      links = std::move(task->content.links);
      for (auto &answer : puzzle_answers(task->content, task->results, settings_.puzzle.id_length))
        links.push_back(std::move(answer));
      links = follow(worker, *task, std::move(links));
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

RunTotals CrawlRun::totals() const {
  std::lock_guard lock(mutex_);
  RunTotals t{merged_, metrics_, error_};
  if (gil_) t.metrics["gil_switches"] = static_cast<double>(gil_->switches());
  std::sort(t.work.pages_ok_ids.begin(), t.work.pages_ok_ids.end());
  std::sort(t.work.events.begin(), t.work.events.end(),
            [](const results::Event &a, const results::Event &b) { return a.start_s < b.start_s; });
  return t;
}

}  // namespace concur::crawl
