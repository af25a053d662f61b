// Process resources for one run: CPU time from getrusage, peak memory from
// /proc (the peak is reset at the start of each run, so each row has its own).
#pragma once

namespace concur::results {

struct CpuTimes {
  double user_s = 0;
  double sys_s = 0;
  CpuTimes operator+(const CpuTimes &o) const { return {user_s + o.user_s, sys_s + o.sys_s}; }
};

CpuTimes process_cpu();  // this process, every thread
// This process's CPU clock (CLOCK_PROCESS_CPUTIME_ID): every thread, ended
// ones included, in ns; the calling thread counted to the instant, the others
// to their last scheduler event.
double process_cpu_clock_s();
CpuTimes children_cpu();  // reaped children (the processes strategy)
void reset_peak_rss();    // best effort: Linux's clear_refs "5"
double peak_rss_mb();     // VmHWM since the last reset (or since start)
int usable_cores();       // CPUs in this process's affinity mask (taskset, cgroups' cpuset)

}  // namespace concur::results
