#include "results/usage.hpp"

#include <sched.h>
#include <time.h>

#include <thread>

#include <malloc.h>
#include <sys/resource.h>

#include <fstream>
#include <string>

namespace concur::results {
namespace {

double seconds(const timeval &tv) {
  return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6;
}

CpuTimes usage_of(int who) {
  rusage ru{};
  getrusage(who, &ru);
  return {seconds(ru.ru_utime), seconds(ru.ru_stime)};
}

}  // namespace

CpuTimes process_cpu() {
  return usage_of(RUSAGE_SELF);
}
double process_cpu_clock_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

CpuTimes children_cpu() {
  return usage_of(RUSAGE_CHILDREN);
}

void reset_peak_rss() {
  // Memory the previous run freed but malloc kept would count in this run's
  // peak: hand it back first.
  malloc_trim(0);
  // Writing "5" resets VmHWM to the current RSS (Linux >= 4.0). Without it the
  // peak would be the process's lifetime peak, shared by every run.
  std::ofstream("/proc/self/clear_refs") << "5";
}

double peak_rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

int usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    return static_cast<int>(std::thread::hardware_concurrency());
  return CPU_COUNT(&set);
}

}  // namespace concur::results
