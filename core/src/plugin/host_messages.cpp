// The wire services of the host table: a run and its pages moved between
// processes (frames on a stream) and between hosts (messages), in the one
// format crawl/wire.hpp and crawl/run_description.hpp own.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "crawl/run_description.hpp"
#include "crawl/wire.hpp"
#include "plugin/host_objects.hpp"

namespace concur::plugin::host {
namespace {

// What a child or a worker process reports for `t`: its outcome, its
// requests (through on_response, here), its counters. Throws on garbage, and
// then leaves the task untouched.
void take_outcome(concur_worker *w, concur_task *t, std::string_view bytes) {
  crawl::Task outcome;
  outcome.page_id = t->task->page_id;
  crawl::WorkerStats spent;
  const std::string child_error =
      crawl::wire::decode_outcome(bytes, outcome, spent, w->run->crawl->names());
  *t->task = std::move(outcome);
  w->run->crawl->replay_responses(*w->worker, spent.events);
  w->worker->stats().add(std::move(spent));
  // The child's run copy was aborted (e.g. the server is gone): so is ours.
  if (!child_error.empty()) fail(w->run, child_error);
}

// What a task cost since the worker last reported, with its outcome; the
// task is gone afterwards.
std::string give_outcome(concur_worker *w, concur_task *t) {
  untrack(w->run, t);
  std::unique_ptr<concur_task> owned(t);
  crawl::WorkerStats spent;
  std::swap(spent, w->worker->stats());
  return crawl::wire::encode_outcome(*t->task, spent, w->run->crawl->names(),
                                     w->run->crawl->error());
}

concur_bytes to_bytes(const std::string &text) {
  void *data = std::malloc(text.empty() ? 1 : text.size());
  if (data == nullptr) throw std::bad_alloc();
  std::memcpy(data, text.data(), text.size());
  return {data, text.size()};
}

std::string_view view(const void *data, size_t size) {
  return {static_cast<const char *>(data), data == nullptr ? 0 : size};
}

const config::OptionSet kNoOptions;

}  // namespace

concur_status send_task(const concur_task *t, int fd) {
  try {
    crawl::wire::write_frame(fd, crawl::wire::encode_task(*t->task));
    return CONCUR_OK;
  } catch (const std::exception &) {
    return CONCUR_ERROR;  // the child is gone; the plugin decides what next
  }
}

concur_status receive_task(concur_worker *w, int fd, concur_task **out) {
  return guarded(w->run, CONCUR_ERROR, [&] {
    w->worker->adopt_if_forked();
    auto frame = crawl::wire::read_frame(fd);
    if (!frame) return CONCUR_FINISHED;
    auto *t = new concur_task{std::make_unique<crawl::Task>(crawl::wire::decode_task(*frame))};
    track(w->run, t);
    *out = t;
    return CONCUR_OK;
  });
}

concur_status send_outcome(concur_worker *w, concur_task *t, int fd) {
  return guarded(w->run, CONCUR_ERROR, [&] {
    crawl::wire::write_frame(fd, give_outcome(w, t));
    return CONCUR_OK;
  });
}

concur_status receive_outcome(concur_worker *w, concur_task *t, int fd) {
  try {
    auto frame = crawl::wire::read_frame(fd);
    if (!frame) return CONCUR_ERROR;
    take_outcome(w, t, *frame);
    return CONCUR_OK;
  } catch (const std::exception &) {
    return CONCUR_ERROR;  // a dead or confused child: the plugin re-sends or gives up
  }
}

// Between hosts: the same format as messages.

concur_status encode_task(const concur_task *t, concur_bytes *out) {
  *out = {nullptr, 0};
  try {
    *out = to_bytes(crawl::wire::encode_task(*t->task));
    return CONCUR_OK;
  } catch (const std::exception &) {
    return CONCUR_ERROR;
  }
}

concur_status decode_task(concur_worker *w, const void *data, size_t size, concur_task **out) {
  try {
    auto task = std::make_unique<crawl::Task>(crawl::wire::decode_task(view(data, size)));
    auto *t = new concur_task{std::move(task)};
    track(w->run, t);
    *out = t;
    return CONCUR_OK;
  } catch (const std::exception &) {
    return CONCUR_ERROR;  // not a task: the plugin drops the message
  }
}

concur_status encode_outcome(concur_worker *w, concur_task *t, concur_bytes *out) {
  *out = {nullptr, 0};
  return guarded(w->run, CONCUR_ERROR, [&] {
    *out = to_bytes(give_outcome(w, t));
    return CONCUR_OK;
  });
}

concur_status decode_outcome(concur_worker *w, concur_task *t, const void *data, size_t size) {
  try {
    take_outcome(w, t, view(data, size));
    return CONCUR_OK;
  } catch (const std::exception &) {
    return CONCUR_ERROR;
  }
}

void bytes_free(concur_bytes *bytes) {
  if (bytes == nullptr) return;
  std::free(bytes->data);
  *bytes = {nullptr, 0};
}

concur_status describe_run(concur_run *run, concur_bytes *out) {
  *out = {nullptr, 0};
  return guarded(run, CONCUR_ERROR, [&] {
    *out = to_bytes(crawl::describe_run(run->crawl->settings(), run->crawl->started()));
    return CONCUR_OK;
  });
}

namespace {
const crawl::WorkerTrust *trusted = nullptr;  // set before serve(), read-only while it runs
}  // namespace

void trust_only(const crawl::WorkerTrust *trust) {
  trusted = trust;
}

concur_run *open_run(const void *description, size_t size, char *err, size_t err_size) {
  try {
    crawl::CrawlSettings settings = crawl::settings_from_description(view(description, size));
    if (trusted != nullptr)
      if (const std::string why = crawl::refuse_or_resolve(settings, *trusted); !why.empty())
        throw std::runtime_error(why);
    auto crawl = std::make_unique<crawl::CrawlRun>(std::move(settings));
    auto *run = new concur_run{nullptr, &kNoOptions, "worker", {}, {}, {}, {}, {}, {}};
    run->crawl = crawl.get();
    run->owned = std::move(crawl);
    return run;
  } catch (const std::exception &e) {
    if (err != nullptr && err_size > 0) std::snprintf(err, err_size, "%s", e.what());
    return nullptr;
  }
}

void reclaim(concur_run &run);

void close_run(concur_run *run) {
  if (run == nullptr) return;
  reclaim(*run);
  delete run;
}

const char *run_error(concur_run *run) {
  run->error_text = run->crawl->error();
  return run->error_text.c_str();
}

}  // namespace concur::plugin::host
