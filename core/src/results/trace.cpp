#include "results/trace.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "results/csv.hpp"
#include "results/lanes.hpp"
#include "results/output_file.hpp"

namespace concur::results {
namespace {

using nlohmann::json;

std::string millis(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", seconds * 1e3);
  return text;
}

const char *span_name(const Event &e) {
  if (e.kind == Event::Kind::solve) return "solve";
  return e.status == Event::kCancelled ? "cancelled" : "fetch";
}

// Every span to the first lane of its worker free at its start (results/lanes.hpp).
auto lanes_by_worker(const Events &events) {
  return results::lanes_by_worker(events,
                                  [](const Event &e) { return std::pair(e.start_s, e.end_s); });
}

// A slice's "ts" and "dur" from its start and end rounded to whole µs: the
// duration is the difference of the two rounded instants, never rounded on
// its own, so a slice that ends before the next begins (in seconds) still
// does in µs (rounding is monotonic) and slices on a lane never overlap.
void set_interval(json &slice, double offset_s, double start_s, double end_s) {
  const long long start_us = micros(offset_s + start_s);
  slice["ts"] = start_us;
  slice["dur"] = micros(offset_s + end_s) - start_us;
}

// A gap between spans on a worker's first lane: the worker waited.
json wait_event(int pid, int tid, double offset_s, double from_s, double to_s) {
  json slice = {{"name", "wait"}, {"cat", "wait"}, {"ph", "X"}, {"pid", pid}, {"tid", tid}};
  set_interval(slice, offset_s, from_s, to_s);
  return slice;
}

// A request (its status, attempt and bytes) or a solve (its unit and CPU time).
json span_event(const Event &e, const std::string &page, int pid, int tid, double offset_s) {
  json args = {{"page", page}};
  if (e.kind == Event::Kind::request) {
    args["status"] = e.status;
    args["attempt"] = e.attempt;
    args["bytes"] = e.bytes;
  } else {
    args["unit"] = e.status;
    args["cpu_ms"] = e.cpu_s * 1e3;
  }
  json slice = {
      {"name", span_name(e)}, {"cat", span_name(e)}, {"ph", "X"}, {"pid", pid}, {"tid", tid}};
  set_interval(slice, offset_s, e.start_s, e.end_s);
  slice["args"] = std::move(args);
  return slice;
}

}  // namespace

TraceWriter::TraceWriter(const std::string &path) : path_(path), out_(open_truncated(path)) {
  out_ << "[";
}

TraceWriter::~TraceWriter() {
  out_ << "\n]\n";
}

void TraceWriter::event(const std::string &text) {
  out_ << (first_ ? "\n" : ",\n") << text;
  first_ = false;
}

void TraceWriter::add_run(const RunResult &run, int run_index, double offset_s) {
  const std::string label = run.strategy + (run.options.empty() ? "" : " " + run.options) +
                            " · repeat " + std::to_string(run.repeat);
  event(json{{"name", "process_name"}, {"ph", "M"}, {"pid", run_index}, {"args", {{"name", label}}}}
            .dump());
  event(json{{"name", "process_sort_index"},
             {"ph", "M"},
             {"pid", run_index},
             {"args", {{"sort_index", run_index}}}}
            .dump());
  for (const auto &[worker, lanes] : lanes_by_worker(run.events)) {
    for (size_t l = 0; l < lanes.size(); ++l) {
      const int tid = worker * 10000 + static_cast<int>(l) + 1;
      const std::string name =
          "worker " + std::to_string(worker) + (l ? " +" + std::to_string(l) : "");
      event(json{{"name", "thread_name"},
                 {"ph", "M"},
                 {"pid", run_index},
                 {"tid", tid},
                 {"args", {{"name", name}}}}
                .dump());
      double previous_end = -1;
      for (const Event *e : lanes[l].spans) {
        if (l == 0 && previous_end >= 0 && e->start_s - previous_end >= 0.001)
          event(wait_event(run_index, tid, offset_s, previous_end, e->start_s).dump());
        previous_end = e->end_s;
        event(span_event(*e, run.page_of(*e), run_index, tid, offset_s).dump());
      }
    }
  }
  out_.flush();
}

RequestsCsv::RequestsCsv(const std::string &path) : path_(path), out_(open_truncated(path)) {
  out_ << "run,repeat,strategy,options,worker,url,page,page_type,attempt,status,start_ms,end_ms,"
          "bytes\n";
}

void RequestsCsv::add_run(const RunResult &run, int run_index) {
  for (const auto &e : run.events) {
    if (e.kind != Event::Kind::request) continue;
    const std::string &page = run.page_of(e);
    const std::string_view type = run.page_type(page);
    out_ << run_index << ',' << run.repeat << ',' << csv_escape(run.strategy) << ','
         << csv_escape(run.options) << ',' << e.worker << ','
         << csv_escape(run.base_url + "/api/" + page) << ',' << csv_escape(page) << ','
         << csv_escape(std::string(type)) << ',' << e.attempt << ',' << e.status << ','
         << millis(e.start_s) << ',' << millis(e.end_s) << ',' << e.bytes << '\n';
  }
  out_.flush();
}

}  // namespace concur::results
