// Finds and loads strategy plugins: dlopen, the one entry point, ABI checks.
// Every refusal names the file, the symbol or both versions (PluginError).
#pragma once

#include <concur/plugin.h>

#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace concur::plugin {

class PluginError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Plugin {
 public:
  // Loads and checks one plugin file; throws PluginError.
  static std::shared_ptr<Plugin> load(const std::filesystem::path &file);
  ~Plugin();
  Plugin(const Plugin &) = delete;
  Plugin &operator=(const Plugin &) = delete;

  const std::string &name() const { return name_; }
  const std::filesystem::path &file() const { return file_; }
  const concur_plugin &descriptor() const { return *descriptor_; }
  std::span<const concur_option_spec> options() const {
    return {descriptor_->options, descriptor_->option_count};
  }

 private:
  Plugin(std::filesystem::path file, void *handle, const concur_plugin *descriptor);
  std::filesystem::path file_;
  void *handle_;
  const concur_plugin *descriptor_;
  std::string name_;
};

// Where plugins are looked for, in order: every folder of $CONCUR_PLUGIN_PATH
// (colon-separated), then <folder of the concur binary>/plugins, then
// <folder of the binary>/../lib/concur/plugins.
std::vector<std::filesystem::path> search_path();

struct Discovery {
  std::vector<std::shared_ptr<Plugin>> plugins;  // the first of each name wins
  std::vector<std::string> problems;             // files refused, with why
};
Discovery discover(const std::vector<std::filesystem::path> &folders = search_path());

// A plugin by name (searched) or by path (anything containing '/' or ending
// in .so). Throws PluginError listing what is available.
std::shared_ptr<Plugin> find(const std::string &name_or_path);

}  // namespace concur::plugin
