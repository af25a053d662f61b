// Running the real `concur` binary from a test: a scratch folder, the exit
// code and both output streams, and reading the CSVs it writes.
#pragma once

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace concur::test {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;
  std::string out, err;
};

inline std::string slurp(const fs::path &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class Sandbox {
 public:
  Sandbox()
      : dir_(fs::temp_directory_path() /
             ("concur-cli-" + std::to_string(::getpid()) + "-" + std::to_string(next()++))) {
    fs::create_directories(dir_);
  }
  ~Sandbox() { fs::remove_all(dir_); }
  fs::path write(const std::string &name, const std::string &text) const {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  fs::path path(const std::string &name) const { return dir_ / name; }
  // `env` ("NAME=value ...") and `cwd` (default: the test's) for the command.
  Outcome concur(const std::string &args, const std::string &cwd = {},
                 const std::string &env = {}) const {
    const std::string cmd = (cwd.empty() ? "" : "cd '" + cwd + "' && ") + env + " " +
                            std::string(CONCUR_BUILD_DIR) + "/concur " + args + " >" +
                            path("out.txt").string() + " 2>" + path("err.txt").string();
    int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(path("out.txt")),
            slurp(path("err.txt"))};
  }

 private:
  static int &next() {
    static int n = 0;
    return n;
  }
  fs::path dir_;
};

// A background `concur` process (stderr to `log`), stopped by its PID.
class Background {
 public:
  // `launcher`: what runs it, e.g. {"ip", "netns", "exec", "host-b"}.
  Background(const std::vector<std::string> &args, const std::string &log,
             const std::vector<std::string> &launcher = {}) {
    std::vector<std::string> words = launcher;
    words.push_back(CONCUR_BUILD_DIR "/concur");
    words.insert(words.end(), args.begin(), args.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char *> argv;
      for (auto &w : words) argv.push_back(w.data());
      argv.push_back(nullptr);
      if (!freopen(log.c_str(), "w", stderr)) _exit(126);
      ::close_range(3, ~0U, 0);  // none of the test's sockets
      execvp(argv[0], argv.data());
      _exit(127);
    }
  }
  ~Background() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Background(const Background &) = delete;
  Background &operator=(const Background &) = delete;
  void signal(int sig) const { ::kill(pid_, sig); }
  pid_t pid() const { return pid_; }
  // Its peak resident set (the largest of it and the children it reaped), once
  // wait() saw it end.
  long peak_rss_kb() const { return peak_rss_kb_; }
  // The exit code (128 + N after signal N), or -1 if it has not ended within
  // the limit (it is killed when this object goes).
  int wait(std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      rusage usage{};
      if (::wait4(pid_, &status, WNOHANG, &usage) == pid_) {
        pid_ = -1;
        peak_rss_kb_ = usage.ru_maxrss;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  long peak_rss_kb_ = 0;
};

// The named column of every data row of a CSV without quoted commas.
inline std::vector<std::string> column(const std::string &csv, const std::string &name) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  auto split = [](const std::string &text) {
    std::vector<std::string> cells;
    std::stringstream s(text);
    for (std::string cell; std::getline(s, cell, ',');) cells.push_back(cell);
    if (!text.empty() && text.back() == ',') cells.emplace_back();
    return cells;
  };
  const auto header = split(line);
  const size_t at = std::find(header.begin(), header.end(), name) - header.begin();
  std::vector<std::string> values;
  while (std::getline(in, line)) values.push_back(split(line).at(at));
  return values;
}

}  // namespace concur::test
