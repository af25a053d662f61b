// Lua files written for a test, removed after it.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace concur::test {

class ScriptFiles {
 public:
  ScriptFiles()
      : dir_(std::filesystem::temp_directory_path() /
             ("concur-lua-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++))) {
    std::filesystem::create_directories(dir_);
  }
  ~ScriptFiles() { std::filesystem::remove_all(dir_); }
  std::string write(const std::string &name, const std::string &text) const {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  std::string path(const std::string &name) const { return (dir_ / name).string(); }

 private:
  static int &counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path dir_;
};

}  // namespace concur::test
