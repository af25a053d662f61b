// The worker side (`concur worker`, and the local workers a coordinator
// forks): wait for a run, open it from its description, and serve its tasks
// stream with `threads` threads until the coordinator deletes the stream.
// Each thread has its own Redis connection and host worker; a page is read
// (XREADGROUP: it is now leased to this consumer), fetched, interpreted and
// solved by the host's services, and its outcome sent back with the lease
// released in one round trip (XADD + XACK, pipelined).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "redis.hpp"
#include "serve.hpp"

namespace concur::distributed {
namespace {

using Clock = std::chrono::steady_clock;

class RunServer {
 public:
  RunServer(const concur_host *host, const ServeArgs &args, Keys keys, WorkerPlan plan,
            concur_run *run)
      : host_(host), args_(args), keys_(std::move(keys)), plan_(plan), run_(run) {}

  // Returns once the run is over (its stream deleted), with the pages served.
  long serve() {
    std::vector<std::thread> threads;
    for (int i = 0; i < plan_.threads; ++i) threads.emplace_back([this, i] { guarded(i); });
    std::thread heartbeat([this] { heartbeat_main(); });
    for (auto &t : threads) t.join();
    {
      std::lock_guard lock(mutex_);
      over_ = true;
    }
    wake_.notify_all();
    heartbeat.join();
    if (!error_.empty())
      std::fprintf(stderr, "concur worker %s: %s\n", args_.id.c_str(), error_.c_str());
    return served_;
  }

 private:
  void guarded(int index) {
    try {
      thread_main(index);
    } catch (const std::exception &e) {
      std::lock_guard lock(mutex_);
      if (error_.empty()) error_ = e.what();
      over_ = true;
    }
  }

  void thread_main(int index) {
    Redis redis(args_.redis);
    concur_worker *worker = host_->worker_open(run_);
    if (worker == nullptr) return;
    const std::string consumer = args_.id + "/" + std::to_string(index);
    const std::string tasks = keys_.tasks();
    while (!over()) {
      Reply reply = redis.command({"XREADGROUP", "GROUP", kGroup, consumer, "COUNT", "1", "BLOCK",
                                   "1000", "STREAMS", tasks, ">"});
      if (is_error(reply.get())) break;  // NOGROUP / UNBLOCKED: the run is over
      const auto entries = stream_entries(reply.get());
      if (entries.empty()) {  // a second with nothing to do: is the run still on?
        if (redis.command({"EXISTS", keys_.info()})->integer == 0) break;
        continue;
      }
      for (const Entry &entry : entries) handle(redis, worker, consumer, entry);
    }
    host_->worker_close(worker);
  }

  void handle(Redis &redis, concur_worker *worker, const std::string &consumer,
              const Entry &entry) {
    const std::string_view bytes = entry.field("t");
    leased(entry.id, consumer, true);
    concur_task *task = nullptr;
    concur_bytes outcome{nullptr, 0};
    const bool decoded = host_->decode_task(worker, bytes.data(), bytes.size(), &task) == CONCUR_OK;
    if (decoded) {
      if (host_->fetch(worker, task) == CONCUR_OK && host_->interpret(worker, task) == CONCUR_OK)
        for (size_t i = 0; i < host_->work_count(task); ++i) host_->solve(worker, task, i);
      host_->encode_outcome(worker, task, &outcome);  // frees the task
    }
    const std::string_view sent =
        outcome.data != nullptr
            ? std::string_view(static_cast<const char *>(outcome.data), outcome.size)
            : std::string_view();
    // NOMKSTREAM: a run that ended meanwhile is not brought back to life. A
    // task refused (malformed, or past the size limit) goes back with no
    // outcome and its reason: the coordinator completes it failed and counts it.
    if (decoded)
      redis.append({"XADD", keys_.results(), "NOMKSTREAM", "*", "p", entry.field("p"), "w",
                    args_.id, "o", sent});
    else
      redis.append({"XADD", keys_.results(), "NOMKSTREAM", "*", "p", entry.field("p"), "w",
                    args_.id, "o", "", "e", "not a task this worker reads, or too large"});
    redis.append({"XACK", keys_.tasks(), kGroup, entry.id});
    redis.read();
    redis.read();
    host_->bytes_free(&outcome);
    leased(entry.id, consumer, false);
    served_.fetch_add(1);
  }

  // Pages in hand, so the heartbeat can renew their leases.
  void leased(const std::string &id, const std::string &consumer, bool taken) {
    std::lock_guard lock(mutex_);
    if (taken)
      in_hand_[id] = {consumer, Clock::now()};
    else
      in_hand_.erase(id);
  }

  bool over() {
    std::lock_guard lock(mutex_);
    return over_;
  }

  // A page held longer than a third of the lease (a slow page, a long
  // puzzle) has its lease renewed: XCLAIM to its own consumer resets the idle
  // time the coordinator's requeue looks at. A dead worker renews nothing.
  void heartbeat_main() {
    std::unique_ptr<Redis> redis;
    const auto period = std::chrono::milliseconds(std::max(1, plan_.lease_ms / 3));
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, period, [this] { return over_; })) {
      std::map<std::string, std::vector<std::string>> renew;  // consumer -> ids
      for (const auto &[id, held] : in_hand_)
        if (Clock::now() - held.since >= period) renew[held.consumer].push_back(id);
      if (renew.empty()) continue;
      lock.unlock();
      try {
        if (!redis) redis = std::make_unique<Redis>(args_.redis);
        const std::string tasks = keys_.tasks();  // outlives the views below
        for (const auto &[consumer, ids] : renew) {
          std::vector<std::string_view> args = {"XCLAIM", tasks, kGroup, consumer, "0"};
          for (const auto &id : ids) args.push_back(id);
          args.push_back("JUSTID");
          redis->command(args);
        }
      } catch (const std::exception &) {
        redis.reset();  // try again next period; the threads report a dead Redis
      }
      lock.lock();
    }
  }

  struct Held {
    std::string consumer;
    Clock::time_point since;
  };

  const concur_host *host_;
  const ServeArgs &args_;
  Keys keys_;
  WorkerPlan plan_;
  concur_run *run_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool over_ = false;
  std::map<std::string, Held> in_hand_;
  std::atomic<long> served_{0};
  std::string error_;
};

// The next run to serve: the newest announced one if it is still on (a
// worker started mid-run joins it), else the next announced.
std::string next_run(Redis &redis, std::string &last) {
  if (last.empty()) {
    last = "0-0";
    Reply newest = redis.command({"XREVRANGE", std::string(kRuns), "+", "-", "COUNT", "1"});
    const auto entries = entry_list(newest.get());
    if (!entries.empty()) {
      last = entries[0].id;
      const std::string run(entries[0].field("run"));
      if (redis.command({"EXISTS", Keys(run).info()})->integer == 1) return run;
    }
  }
  for (;;) {
    Reply reply = redis.command({"XREAD", "COUNT", "1", "BLOCK", "5000", "STREAMS", kRuns, last});
    const auto entries = stream_entries(reply.get());
    if (entries.empty()) continue;
    last = entries[0].id;
    return std::string(entries[0].field("run"));
  }
}

std::string field_of(const redisReply *hash, std::string_view name) {
  if (hash == nullptr || hash->type != REDIS_REPLY_ARRAY) return {};
  for (size_t i = 0; i + 1 < hash->elements; i += 2)
    if (text(hash->element[i]) == name) return std::string(text(hash->element[i + 1]));
  return {};
}

int number_field(const redisReply *hash, std::string_view name, int fallback) {
  const std::string value = field_of(hash, name);
  try {
    return value.empty() ? fallback : std::stoi(value);
  } catch (const std::exception &) {
    return fallback;
  }
}

// Tells the coordinator why this worker will not serve its run (its run
// fails with the reason, instead of waiting for pages that never come).
void refuse(Redis &redis, const Keys &keys, const std::string &worker, std::string_view why) {
  redis.command({"XADD", keys.results(), "NOMKSTREAM", "*", "w", worker, "refused", why});
}

}  // namespace

int serve_runs(const concur_host *host, const ServeArgs &args, std::string &error) {
  Redis redis(args.redis, 15'000);
  std::string last;
  for (long served = 0; args.runs == 0 || served < args.runs;) {
    const std::string run_id = args.run.empty() ? next_run(redis, last) : args.run;
    const Keys keys(run_id);
    Reply info = redis.command({"HGETALL", keys.info()});
    const std::string desc = field_of(info.get(), "desc");
    if (desc.empty()) {  // over before we came
      if (!args.run.empty()) return 0;
      continue;
    }
    WorkerPlan plan;
    plan.threads = std::max(1, number_field(info.get(), "threads", plan.threads));
    plan.lease_ms = std::max(1, number_field(info.get(), "lease_ms", plan.lease_ms));
    char err[512] = {0};
    concur_run *run = host->open_run(desc.data(), desc.size(), err, sizeof err);
    if (run == nullptr) {
      error = "run " + run_id + ": " + err;
      if (!args.run.empty()) return 1;
      std::fprintf(stderr, "concur worker %s: %s (refused)\n", args.id.c_str(), error.c_str());
      refuse(redis, keys, args.id, err[0] ? err : "no reason given");
      ++served;
      continue;
    }
    if (!args.quiet)
      std::fprintf(stderr, "concur worker %s: serving run %s (%d threads, lease %d ms)\n",
                   args.id.c_str(), run_id.c_str(), plan.threads, plan.lease_ms);
    const long pages = RunServer(host, args, keys, plan, run).serve();
    host->close_run(run);
    if (!args.quiet)
      std::fprintf(stderr, "concur worker %s: run %s over, %ld pages served\n", args.id.c_str(),
                   run_id.c_str(), pages);
    ++served;
    if (!args.run.empty()) break;
  }
  return 0;
}

}  // namespace concur::distributed
