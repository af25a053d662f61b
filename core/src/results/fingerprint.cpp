#include "results/fingerprint.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "concur_build_id.hpp"  // CONCUR_GIT_COMMIT, written at build time

namespace concur::results {
namespace {

std::string trim(std::string s) {
  const size_t first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

// The first "KEY : value" of /proc/cpuinfo among `keys`, in their order of
// preference (x86 says "model name"; arm64 kernels may give only the rest).
std::string cpu_model() {
  for (const char *key : {"model name", "Model", "Hardware", "CPU part"}) {
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos && trim(line.substr(0, colon)) == key)
        return trim(line.substr(colon + 1));
    }
  }
  return "unknown";
}

std::string first_line(const char *path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return trim(line);
}

std::string compiler() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "GCC " __VERSION__;
#else
  return "unknown compiler";
#endif
}

Machine read_machine() {
  Machine m;
  m.cpu_model = cpu_model();
  m.governor = first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  utsname u{};
  m.kernel = uname(&u) == 0 ? std::string(u.sysname) + " " + u.release : "unknown";
  m.build = std::string(CONCUR_VERSION) + " commit " + CONCUR_GIT_COMMIT + "; " +
            CONCUR_BUILD_KIND + "; " + compiler();
  // No commas in what goes in every row: a quoted field is right, but a
  // reader splitting lines on commas (awk -F, cut -d,) would be off by one.
  for (std::string *text : {&m.cpu_model, &m.build})
    for (char &c : *text)
      if (c == ',') c = ';';
  return m;
}

}  // namespace

const Machine &machine() {
  static const Machine m = read_machine();
  return m;
}

double load_average() {
  std::ifstream in("/proc/loadavg");
  double one = -1;
  if (!(in >> one)) return -1;
  return one;
}

double machine_busy_s() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice
  // (guest time is already inside user and nice)
  unsigned long long v[8] = {};
  if (!(in >> cpu) || cpu != "cpu") return 0;
  for (auto &x : v) in >> x;
  const unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
  static const double tick = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
  return static_cast<double>(busy) * tick;
}

bool is_noisy(double foreign_cpu_s, double wall_s, int cores) {
  if (wall_s <= 0 || cores <= 0 || foreign_cpu_s < kNoisyFloorS) return false;
  return foreign_cpu_s / wall_s >= kNoisyShare * cores;
}

}  // namespace concur::results
