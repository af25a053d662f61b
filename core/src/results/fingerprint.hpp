// What makes two result sets comparable, or not: the machine, its kernel and
// CPU frequency policy, the build of concur that measured, and how busy the
// machine was with other work while each run ran.
#pragma once

#include <string>

namespace concur::results {

// Fixed for the life of the process: read once.
struct Machine {
  std::string cpu_model;  // /proc/cpuinfo "model name" (or the closest it has)
  std::string governor;   // cpu0's cpufreq scaling_governor; "" where not readable (VMs)
  std::string kernel;     // uname: "Linux 6.1.0-18-amd64"
  // "0.1.0 commit 1a2b3c4d5e6f; RelWithDebInfo; GCC 12.2.0": the version, the
  // commit it was built from (-dirty with uncommitted changes), build kind,
  // compiler. Neither this nor cpu_model holds a comma.
  std::string build;
};
const Machine &machine();

// The 1-minute load average (/proc/loadavg); -1 where not readable.
double load_average();

// CPU time every CPU of the machine spent busy (not idle, not waiting on
// I/O; the hypervisor's steal included) since boot, in seconds (/proc/stat,
// in clock ticks: 10 ms at USER_HZ 100).
double machine_busy_s();

// Other processes' demand on the machine during a run: the machine's busy
// time less this process's own (with its children), over the run's wall time,
// as a share of the cores. `noisy` when it reaches kNoisyShare: then the
// run shared the machine and its figures with whatever else ran.
inline constexpr double kNoisyShare = 0.1;
// Below this much foreign time the share is within /proc/stat's tick
// resolution (a tick per CPU at each end) and says nothing.
inline constexpr double kNoisyFloorS = 0.05;
bool is_noisy(double foreign_cpu_s, double wall_s, int cores);

}  // namespace concur::results
