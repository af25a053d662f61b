#include "server/startup.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "server/progress.hpp"

namespace concur::server {

void Startup::making(size_t total, double estimate_s) {
  const std::lock_guard lock(mutex_);
  made_ = 0;
  total_ = total;
  estimate_s_ = estimate_s;
  since_ = std::chrono::steady_clock::now();
}

void Startup::add_total(size_t more) {
  const std::lock_guard lock(mutex_);
  total_ += more;
}

void Startup::made_one() {
  const std::lock_guard lock(mutex_);
  ++made_;
}

// The pace of the puzzles made so far, once there are some: the first
// estimate is a rough figure for any machine, the pace is this machine's.
Startup::Snapshot Startup::snapshot() const {
  const std::lock_guard lock(mutex_);
  Snapshot s;
  s.made = std::min(made_, total_);
  s.total = total_;
  s.fraction = total_ == 0 ? 0 : static_cast<double>(s.made) / static_cast<double>(total_);
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - since_).count();
  if (s.made > 0)
    s.seconds_left = elapsed / static_cast<double>(s.made) * static_cast<double>(total_ - s.made);
  else
    s.seconds_left = std::max(0.0, estimate_s_ - elapsed);
  return s;
}

uint32_t retry_after_s(const Startup::Snapshot &progress) {
  const double left = std::ceil(progress.seconds_left);
  return left >= 1 ? static_cast<uint32_t>(std::min(left, 86400.0)) : 1;
}

std::string starting_body(const Startup::Snapshot &progress) {
  const uint32_t after = retry_after_s(progress);
  const std::string what = progress.total == 0
                               ? "building its graph"
                               : "making its puzzles (" + std::to_string(progress.made) + "/" +
                                     std::to_string(progress.total) + ", about " +
                                     Progress::duration_text(progress.seconds_left) + " left)";
  return nlohmann::ordered_json{
      {"status", "starting"},
      {"progress", std::round(progress.fraction * 1000) / 1000},
      {"puzzles_made", progress.made},
      {"puzzles_total", progress.total},
      {"seconds_left", std::round(progress.seconds_left * 10) / 10},
      {"error", "Server starting: " + what + "; retry after " + std::to_string(after) + " s"}}
      .dump();
}

}  // namespace concur::server
