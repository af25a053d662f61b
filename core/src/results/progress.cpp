#include "results/progress.hpp"

#include <cstdio>
#include <utility>

namespace concur::results {
namespace {

std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
  return text;
}

}  // namespace

Progress::Progress(std::ostream &err, bool terminal, int runs_total, double interval_s,
                   std::string unit)
    : err_(err),
      terminal_(terminal),
      runs_total_(runs_total),
      interval_(interval_s),
      unit_(std::move(unit)),
      began_(std::chrono::steady_clock::now()),
      thread_([this] { loop(); }) {}

Progress::~Progress() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (terminal_ && running_) err_ << "\r\033[K" << std::flush;
}

void Progress::run_started(int index, const std::string &label) {
  std::lock_guard lock(mutex_);
  live_.pages_ok = 0;
  live_.pages_failed = 0;
  index_ = index;
  label_ = label;
  running_ = true;
  run_began_ = std::chrono::steady_clock::now();
  // In a log a start line of zeros ("0 pages, 0 pages/s, 0 failed") is noise:
  // it says the run started, and the ETA.
  err_ << (terminal_ ? "\r\033[K" + line() : start_line() + "\n") << std::flush;
}

std::string Progress::start_line() const {
  return prefix() + ": started" + eta(0);
}

void Progress::run_finished() {
  std::lock_guard lock(mutex_);
  running_ = false;
  ++runs_done_;
  finished_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - began_).count();
  if (terminal_) err_ << "\r\033[K" << std::flush;
}

std::string Progress::prefix() const {
  return "concur: run " + std::to_string(index_) + "/" + std::to_string(runs_total_) + " " + label_;
}

// Runs are alike enough that the mean of the finished ones predicts the rest.
std::string Progress::eta(double in_run_s) const {
  if (runs_done_ == 0) return "";
  const double left = finished_s_ / runs_done_ * (runs_total_ - runs_done_) - in_run_s;
  return ", ETA " + clock_text(left > 0 ? left : 0);
}

std::string Progress::line() const {
  const double in_run =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - run_began_).count();
  const long ok = live_.pages_ok, failed = live_.pages_failed;
  char counts[96];
  std::snprintf(counts, sizeof counts, ": %ld %s, %.0f %s/s, %ld failed", ok + failed,
                unit_.c_str(), in_run > 0 ? (ok + failed) / in_run : 0.0, unit_.c_str(), failed);
  return prefix() + counts + eta(in_run);
}

void Progress::loop() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, terminal_ ? std::chrono::duration<double>(0.25) : interval_);
    if (stop_ || !running_) continue;
    err_ << (terminal_ ? "\r\033[K" : "") << line() << (terminal_ ? "" : "\n") << std::flush;
  }
}

}  // namespace concur::results
