#include "server/progress.hpp"

#include <cmath>
#include <sstream>

#include "server/startup.hpp"

namespace concur::server {

Progress::Progress(std::ostream *out, bool tty, size_t total, double estimate_s,
                   const std::string &note, Startup *startup)
    : out_(out), tty_(tty), startup_(startup), total_(total), estimate_s_(estimate_s) {
  if (startup_ != nullptr) startup_->making(total, estimate_s);
  if (out_ == nullptr || total == 0) return;
  if (estimate_s_ >= kLong)
    *out_ << "concur: making " << total << " puzzles, about " << duration_text(estimate_s_) << note
          << "\n"
          << std::flush;
  if (tty_ && estimate_s_ >= kQuiet) draw(0, true);
}

void Progress::add_total(size_t more) {
  total_ += more;
  if (startup_ != nullptr) startup_->add_total(more);
}

void Progress::tick() {
  const size_t done = ++done_;
  if (startup_ != nullptr) startup_->made_one();
  if (out_ != nullptr && tty_) draw(done, false);
}

double Progress::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

// Redraws at most every kInterval; a tick that finds another thread drawing
// skips rather than waits, so workers never queue behind the terminal.
void Progress::draw(size_t done, bool force) {
  const std::unique_lock lock(draw_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  const double now = elapsed_s();
  if (!force && (now < kQuiet || now - last_draw_ < kInterval)) return;
  last_draw_ = now;
  const size_t total = std::max<size_t>(total_, 1);
  std::ostringstream line;
  line << "concur: making puzzles " << done << "/" << total << " (" << done * 100 / total << "%)";
  if (done > 0 && done < total)
    line << ", ~" << duration_text(now / static_cast<double>(done) * (total - done)) << " left";
  std::string text = line.str();
  const size_t width = text.size();
  if (width < drawn_width_) text.append(drawn_width_ - width, ' ');  // erase the longer line
  drawn_width_ = width;
  drawn_ = true;
  *out_ << '\r' << text << std::flush;
}

void Progress::finish() {
  if (out_ == nullptr) return;
  const double took = elapsed_s();
  const std::lock_guard lock(draw_mutex_);
  if (!(drawn_ || (!tty_ && (took >= kLong || estimate_s_ >= kLong)))) return;
  std::string text =
      "concur: made " + std::to_string(done_.load()) + " puzzles in " + duration_text(took);
  if (tty_ && text.size() < drawn_width_) text.append(drawn_width_ - text.size(), ' ');
  *out_ << (tty_ ? "\r" : "") << text << "\n" << std::flush;
}

std::string Progress::duration_text(double seconds) {
  if (seconds < 0.1) {  // "2.5 ms", not "0.00 s"
    std::ostringstream out;
    out.precision(seconds < 0.01 ? 1 : 0);
    out << std::fixed << seconds * 1000 << " ms";
    return out.str();
  }
  if (seconds < 10) {
    std::ostringstream out;
    out.precision(seconds < 1 ? 2 : 1);
    out << std::fixed << seconds << " s";
    return out.str();
  }
  if (seconds < 90) return std::to_string(std::lround(seconds)) + " s";
  const long minutes = std::lround(seconds / 60);
  if (minutes < 90) return std::to_string(minutes) + " min";
  return std::to_string(minutes / 60) + " h " + std::to_string(minutes % 60) + " min";
}

}  // namespace concur::server
