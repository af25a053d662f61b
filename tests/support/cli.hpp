// Running the real `concur` binary from a test: a scratch folder, the exit
// code and both output streams, and reading the CSVs it writes.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
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
