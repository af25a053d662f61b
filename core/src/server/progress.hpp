// The progress line while puzzles are made (~1000 CPU-seconds at full
// difficulty): a long make (kLong or more) first states its cost in one line;
// then a line in place on a terminal, else one line at the end; a quick make
// says nothing at all. A starting server's Startup follows the same ticks.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <ostream>
#include <string>

namespace concur::server {

class Startup;

class Progress {
 public:
  // `out` may be null (silent); `estimate_s` is the expected wall time, which
  // decides whether the cost is stated at all; `note` follows it on that line.
  // `startup` (may be null) is told the same progress.
  Progress(std::ostream *out, bool tty, size_t total, double estimate_s,
           const std::string &note = {}, Startup *startup = nullptr);

  void add_total(size_t more);  // redraws after collisions add work
  void tick();                  // any thread: one puzzle done
  void finish();                // the building thread, once

  // "2.5 ms", "35 s", "4 min", "2 h 5 min": what a person reads at a glance.
  static std::string duration_text(double seconds);

 private:
  double elapsed_s() const;
  void draw(size_t done, bool force);

  static constexpr double kQuiet = 0.5;      // s before a terminal sees anything
  static constexpr double kLong = 2.0;       // s: a make worth two lines in a log
  static constexpr double kInterval = 0.25;  // s between redraws

  std::ostream *out_;
  bool tty_;
  Startup *startup_;
  std::atomic<size_t> total_;
  std::atomic<size_t> done_{0};
  double estimate_s_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::mutex draw_mutex_;  // one drawer at a time; the others skip
  double last_draw_ = -1;
  size_t drawn_width_ = 0;
  bool drawn_ = false;
};

}  // namespace concur::server
