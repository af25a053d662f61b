#include "experiment/program.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

extern char **environ;

namespace concur::experiment {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kSampleMs = 50;    // a /proc scan costs ~1 ms of CPU here
constexpr double kGraceS = 2.0;  // between SIGTERM and SIGKILL
constexpr long kTailBytes = 2048;

// An unnamed file for one of the program's streams; closed with the run.
class Capture {
 public:
  Capture() : fd_(::open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) {
    if (fd_ < 0)
      throw std::runtime_error(std::string("cannot make a file: ") + std::strerror(errno));
  }
  ~Capture() { ::close(fd_); }
  Capture(const Capture &) = delete;
  Capture &operator=(const Capture &) = delete;
  int fd() const { return fd_; }

  // The last kTailBytes, from the first line that starts inside them.
  std::string tail() const {
    const off_t size = ::lseek(fd_, 0, SEEK_END);
    if (size <= 0) return {};
    const off_t from = size > kTailBytes ? size - kTailBytes : 0;
    std::string text(static_cast<size_t>(size - from), '\0');
    const ssize_t got = ::pread(fd_, text.data(), text.size(), from);
    text.resize(got > 0 ? static_cast<size_t>(got) : 0);
    if (from > 0)
      if (const size_t nl = text.find('\n'); nl != std::string::npos) text.erase(0, nl + 1);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
  }

 private:
  int fd_;
};

// Every process in group `pgid`, with its resident memory (bytes).
struct GroupSample {
  int processes = 0;
  double rss_bytes = 0;
};

GroupSample sample_group(pid_t pgid) {
  GroupSample sample;
  DIR *proc = ::opendir("/proc");
  if (proc == nullptr) return sample;
  static const long page = ::sysconf(_SC_PAGESIZE);
  while (const dirent *entry = ::readdir(proc)) {
    if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
    std::ifstream stat(std::string("/proc/") + entry->d_name + "/stat");
    std::string text;
    if (!std::getline(stat, text)) continue;
    // Fields after the command's closing parenthesis: state ppid pgrp ... rss (24th).
    const size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    long ppid = 0, pgrp = 0;
    if (std::sscanf(text.c_str() + close + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3) continue;
    if (pgrp != pgid || state == 'Z') continue;
    ++sample.processes;
    const char *at = text.c_str() + close + 1;
    for (int field = 3; field < 24 && at != nullptr; ++field) {
      at = std::strchr(at + 1, ' ');
    }
    if (at != nullptr) sample.rss_bytes += std::strtod(at + 1, nullptr) * static_cast<double>(page);
  }
  ::closedir(proc);
  return sample;
}

// argv and envp made before fork(): the child of a threaded process may only
// call async-signal-safe functions until it execs.
struct ExecArgs {
  std::vector<std::string> env_text;
  std::vector<char *> argv, envp;

  ExecArgs(const std::string &line, const std::vector<std::pair<std::string, std::string>> &env) {
    for (char **e = environ; *e != nullptr; ++e) {
      const std::string entry(*e);
      const std::string key = entry.substr(0, entry.find('='));
      bool replaced = false;
      for (const auto &[k, v] : env) replaced = replaced || k == key;
      if (!replaced) env_text.push_back(entry);
    }
    for (const auto &[k, v] : env) env_text.push_back(k + "=" + v);
    for (auto &text : env_text) envp.push_back(text.data());
    envp.push_back(nullptr);
    static char sh[] = "/bin/sh", dash_c[] = "-c";
    argv = {sh, dash_c, const_cast<char *>(line.c_str()), nullptr};
  }
};

pid_t start(const ExecArgs &args, const Capture &out, const Capture &err) {
  const pid_t pid = ::fork();
  if (pid < 0)
    throw std::runtime_error(std::string("cannot start a process: ") + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    ::dup2(out.fd(), 1);
    ::dup2(err.fd(), 2);
    // Nothing of concur's but the three streams: a descriptor left open (the
    // embedded server's listening socket, a connection) would outlive concur's
    // own close in a program, or a child of it, that lives on.
    ::close_range(3, ~0U, 0);
    ::signal(SIGPIPE, SIG_DFL);
    ::execve(args.argv[0], args.argv.data(), args.envp.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // as the child does: whichever runs first, the group exists
  return pid;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

ProgramRun run_program(const std::string &line,
                       const std::vector<std::pair<std::string, std::string>> &env,
                       double timeout_s, const std::function<void()> &every_sample) {
  const ExecArgs args(line, env);
  const Capture out, err;
  ProgramRun run;
  const auto started = Clock::now();
  const pid_t pid = start(args, out, err);
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  double term_at = -1;
  int status = 0;
  rusage usage{};
  while (true) {
    const pid_t done = ::wait4(pid, &status, WNOHANG, &usage);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) throw std::runtime_error("lost the program's process");
    const GroupSample sample = sample_group(pid);
    run.peak_rss_mb = std::max(run.peak_rss_mb, sample.rss_bytes / (1024.0 * 1024.0));
    if (every_sample) every_sample();
    const double now = seconds_since(started);
    if (!run.timed_out && now >= timeout_s) {
      run.timed_out = true;
      term_at = now;
      ::kill(-pid, SIGTERM);
    } else if (run.timed_out && term_at >= 0 && now >= term_at + kGraceS) {
      ::kill(-pid, SIGKILL);
      term_at = -1;
    }
    // Wakes at once when the program ends (pidfd); else samples every 50 ms.
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      ::poll(&p, 1, kSampleMs);
    } else {
      ::usleep(kSampleMs * 1000);
    }
  }
  run.wall_s = seconds_since(started);
  if (pidfd >= 0) ::close(pidfd);
  // What is left of its group (children it did not wait for) does not outlive it.
  run.left_behind = sample_group(pid).processes;
  if (run.left_behind > 0) ::kill(-pid, SIGKILL);
  run.cpu = {static_cast<double>(usage.ru_utime.tv_sec) + usage.ru_utime.tv_usec / 1e6,
             static_cast<double>(usage.ru_stime.tv_sec) + usage.ru_stime.tv_usec / 1e6};
  run.peak_rss_mb = std::max(run.peak_rss_mb, static_cast<double>(usage.ru_maxrss) / 1024.0);
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) run.signal = WTERMSIG(status);
  run.stdout_tail = out.tail();
  run.stderr_tail = err.tail();
  return run;
}

}  // namespace concur::experiment
