// The coordinator: the `concur run` process's side. Core's frontier stays
// here (take / complete, as for every strategy); Redis carries the pages to
// any number of worker processes on any hosts and their outcomes back. The
// reliable-queue pattern: a page read by a worker is leased to it (pending in
// the consumer group) until it acknowledges the page with its outcome; a page
// leased longer than lease_ms (its worker died) is queued again. A page that
// comes back twice is completed once: the second outcome is a duplicate.
#include "coordinator.hpp"

#include <chrono>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "local_workers.hpp"
#include "protocol.hpp"
#include "redis.hpp"

namespace concur::distributed {
namespace {

using Clock = std::chrono::steady_clock;

std::string random_id() {
  std::random_device device;
  char id[17];
  std::snprintf(id, sizeof id, "%08x%08x", device(), device());
  return id;
}

// Every command the Redis server has executed (scripts' inner calls too),
// minus INFO itself: the run's operations are the difference of two readings.
// -1 when the server refuses INFO (an ACL user without it: the minimal one).
long executed_commands(Redis &redis) {
  Reply info = redis.command({"INFO", "commandstats"});
  if (is_error(info.get())) return -1;
  long total = 0;
  const std::string_view stats = text(info.get());
  for (size_t at = stats.find("cmdstat_"); at != std::string_view::npos;
       at = stats.find("cmdstat_", at + 1)) {
    const size_t calls = stats.find("calls=", at);
    if (calls == std::string_view::npos) break;
    const bool info_itself = stats.compare(at, 13, "cmdstat_info:") == 0;
    if (!info_itself) total += std::atol(std::string(stats.substr(calls + 6, 20)).c_str());
  }
  return total;
}

class Coordinator {
 public:
  Coordinator(const concur_host *host, concur_run *run)
      : host_(host),
        run_(run),
        url_(host->option_string(run, "redis")),
        password_file_(host->option_string(run, "redis_password_file")),
        keys_(random_id()),
        local_count_(static_cast<int>(host->option_int(run, "local_workers"))),
        plan_{static_cast<int>(host->option_int(run, "worker_threads")),
              static_cast<int>(host->option_int(run, "lease_ms"))},
        stall_s_(host->option_double(run, "stall_s")) {}

  int run(char *err, size_t err_size) {
    try {
      endpoint_ = with_password(parse_url(url_), password_file_);
      redis_ = std::make_unique<Redis>(endpoint_);
      announce();
      const long ops0 = executed_commands(*redis_);
      locals_.start(host_, endpoint_, keys_.run, local_count_);
      worker_ = host_->worker_open(run_);
      if (worker_ != nullptr) drive();
      finish_in_flight();
      if (worker_ != nullptr) host_->worker_close(worker_);
      const long ops1 = executed_commands(*redis_);
      const long ops = ops0 < 0 || ops1 < 0 ? -1 : ops1 - ops0;
      end_run();
      report(ops);
    } catch (const std::exception &e) {
      std::snprintf(err, err_size, "%s", e.what());
      cleanup_after_error();
      return 1;
    }
    if (!failure_.empty()) {
      std::snprintf(err, err_size, "%s", failure_.c_str());
      return 1;
    }
    return 0;
  }

 private:
  // The run's keys, then its announcement (workers wait on concur:runs).
  void announce() {
    concur_bytes desc{nullptr, 0};
    if (host_->describe_run(run_, &desc) != CONCUR_OK)
      throw std::runtime_error("describe_run failed");
    const std::string description(static_cast<const char *>(desc.data), desc.size);
    host_->bytes_free(&desc);
    redis_->command({"DEL", keys_.info(), keys_.tasks(), keys_.results()});
    expect_ok(redis_->command({"XGROUP", "CREATE", keys_.tasks(), kGroup, "0", "MKSTREAM"}));
    Reply first = redis_->command({"XADD", keys_.results(), "*", "start", "1"});
    expect_ok(first);
    last_result_ = std::string(text(first.get()));
    expect_ok(redis_->command({"HSET", keys_.info(), "desc", description, "threads",
                               std::to_string(plan_.threads), "lease_ms",
                               std::to_string(plan_.lease_ms)}));
    expect_ok(redis_->command({"XADD", kRuns, "MAXLEN", "~", "100", "*", "run", keys_.run}));
  }

  static void expect_ok(const Reply &reply) {
    if (is_error(reply.get())) throw RedisError("redis: " + std::string(text(reply.get())));
  }

  // Queue what the frontier has, collect outcomes, requeue expired leases,
  // until the frontier says the run is over and nothing is out.
  void drive() {
    auto last_progress = Clock::now();
    auto next_reclaim = Clock::now() + std::chrono::milliseconds(plan_.lease_ms / 2);
    for (;;) {
      if (queue_new_pages()) last_progress = Clock::now();
      if (finished_ && in_flight_.empty()) return;
      if (!failure_.empty()) return;                // a worker refused the run
      if (*host_->run_error(run_) != '\0') return;  // aborted: stop waiting
      if (collect_outcomes()) last_progress = Clock::now();
      local_deaths_ += locals_.reap();  // their pages come back by lease
      if (Clock::now() >= next_reclaim) {
        requeue_expired();
        next_reclaim = Clock::now() + std::chrono::milliseconds(plan_.lease_ms / 2);
      }
      const double idle = std::chrono::duration<double>(Clock::now() - last_progress).count();
      if (!in_flight_.empty() && idle > stall_s_) {
        failure_ = "no page came back for " + std::to_string(static_cast<int>(idle)) + " s (" +
                   std::to_string(in_flight_.size()) +
                   " queued): is any worker serving? Start one with `concur worker --redis " +
                   endpoint_.shown() + "`, or set local_workers";
        return;
      }
    }
  }

  // Returns true when a page was queued.
  bool queue_new_pages() {
    size_t queued = 0;
    while (!finished_) {
      concur_task *task = nullptr;
      const concur_status s = host_->take(worker_, &task, 0);
      if (s == CONCUR_FINISHED) finished_ = true;
      if (s != CONCUR_OK) break;
      concur_bytes bytes{nullptr, 0};
      if (host_->encode_task(task, &bytes) != CONCUR_OK) {
        host_->complete(worker_, task);  // counts as failed
        continue;
      }
      const std::string page = std::to_string(next_page_++);  // our key for its outcome
      redis_->append({"XADD", keys_.tasks(), "*", "p", page, "t",
                      std::string_view(static_cast<const char *>(bytes.data), bytes.size)});
      host_->bytes_free(&bytes);
      in_flight_[page] = task;
      ++queued;
    }
    for (size_t i = 0; i < queued; ++i) expect_ok(redis_->read());
    return queued > 0;
  }

  bool collect_outcomes() {
    Reply reply = redis_->command(
        {"XREAD", "COUNT", "512", "BLOCK", "100", "STREAMS", keys_.results(), last_result_});
    expect_ok(reply);
    const auto entries = stream_entries(reply.get());
    for (const Entry &entry : entries) {
      last_result_ = entry.id;
      if (const auto refused = entry.field("refused"); !refused.empty()) {
        failure_ =
            "worker " + std::string(entry.field("w")) + " refused the run: " + std::string(refused);
        return true;
      }
      const auto found = in_flight_.find(std::string(entry.field("p")));
      if (found == in_flight_.end()) {
        ++duplicates_;  // done already: processed twice, counted once
        continue;
      }
      workers_seen_.insert(std::string(entry.field("w")));
      if (!entry.field("e").empty()) ++tasks_refused_;  // its outcome is empty: failed
      const std::string_view outcome = entry.field("o");
      concur_task *task = found->second;
      in_flight_.erase(found);
      // Garbage completes the page as it is: failed.
      host_->decode_outcome(worker_, task, outcome.data(), outcome.size());
      host_->complete(worker_, task);
    }
    return !entries.empty();
  }

  // Pages leased longer than lease_ms: their worker is gone (a live one
  // renews its leases). Claimed here, queued again as new entries.
  void requeue_expired() {
    std::string cursor = "0-0";
    do {
      Reply reply = redis_->command({"XAUTOCLAIM", keys_.tasks(), kGroup, "coordinator",
                                     std::to_string(plan_.lease_ms), cursor, "COUNT", "100"});
      expect_ok(reply);
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2) return;
      cursor = std::string(text(reply->element[0]));
      const auto expired = entry_list(reply->element[1]);
      for (const Entry &e : expired) {
        redis_->append({"XADD", keys_.tasks(), "*", "p", e.field("p"), "t", e.field("t")});
        redis_->append({"XACK", keys_.tasks(), kGroup, e.id});
      }
      for (size_t i = 0; i < 2 * expired.size(); ++i) expect_ok(redis_->read());
      requeued_ += static_cast<long>(expired.size());
    } while (cursor != "0-0");
  }

  // Pages still out when the run stops early (aborted, stalled): completed
  // as they are, failed, so that every taken task is completed.
  void finish_in_flight() {
    for (auto &[page, task] : in_flight_) host_->complete(worker_, task);
    in_flight_.clear();
  }

  // Deleting the keys ends the run for every worker: a blocked XREADGROUP
  // returns an error at once. Local workers then exit; they are waited for.
  void end_run() {
    redis_->command({"DEL", keys_.info(), keys_.tasks(), keys_.results()});
    locals_.wait(std::chrono::seconds(10));
  }

  void cleanup_after_error() {
    for (auto &[page, task] : in_flight_) host_->complete(worker_, task);
    in_flight_.clear();
    if (worker_ != nullptr) host_->worker_close(worker_);
    worker_ = nullptr;
    try {
      if (redis_) redis_->command({"DEL", keys_.info(), keys_.tasks(), keys_.results()});
    } catch (const std::exception &) {
    }
    locals_.wait(std::chrono::seconds(2));
  }

  void report(long ops) {
    auto add = [this](const char *name, double value) {
      host_->metric(run_, name, value, CONCUR_METRIC_ADD);
    };
    add("workers_seen", static_cast<double>(workers_seen_.size()));
    add("pages_requeued", static_cast<double>(requeued_));
    add("duplicates_suppressed", static_cast<double>(duplicates_));
    add("local_worker_deaths", static_cast<double>(local_deaths_));
    add("tasks_refused", static_cast<double>(tasks_refused_));
    if (ops < 0) return;  // the server refused INFO: no count to report
    add("redis_ops", static_cast<double>(ops));
    add("redis_ops_per_page",
        next_page_ > 0 ? static_cast<double>(ops) / static_cast<double>(next_page_) : 0);
  }

  const concur_host *host_;
  concur_run *run_;
  std::string url_, password_file_;
  Endpoint endpoint_;
  Keys keys_;
  int local_count_;
  WorkerPlan plan_;
  double stall_s_;
  std::unique_ptr<Redis> redis_;
  concur_worker *worker_ = nullptr;
  LocalWorkers locals_;
  std::unordered_map<std::string, concur_task *> in_flight_;  // by our task number
  std::string last_result_;
  long next_page_ = 0;
  bool finished_ = false;
  std::set<std::string> workers_seen_;
  long requeued_ = 0, duplicates_ = 0, local_deaths_ = 0, tasks_refused_ = 0;
  std::string failure_;
};

}  // namespace

int coordinate(const concur_host *host, concur_run *run, char *err, size_t err_size) {
  return Coordinator(host, run).run(err, err_size);
}

}  // namespace concur::distributed
