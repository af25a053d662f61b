// Finds and loads strategy plugins: dlopen, the one entry point, ABI checks.
// Every refusal names the file, the symbol or both versions (PluginError).
#pragma once

#include <concur/plugin.h>

#include <cstddef>

#include <filesystem>
#include <map>
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
  // The plugin's serve() (plugin.h), or null: a descriptor built before it
  // was appended, or a plugin that serves nothing.
  decltype(concur_plugin::serve) serve() const {
    return CONCUR_PLUGIN_HAS(descriptor_, serve) ? descriptor_->serve : nullptr;
  }
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

// Where plugins are looked for, in order: folders given with --plugin-path
// (add_plugin_path), every folder of $CONCUR_PLUGIN_PATH (colon-separated),
// <folder of the concur binary>/plugins (the build tree), then <folder of the
// binary>/../lib/concur/plugins (the install location).
struct SearchFolder {
  std::filesystem::path path;
  std::string origin;  // "--plugin-path", "CONCUR_PLUGIN_PATH", "build tree", "install location"
};
std::vector<SearchFolder> search_folders();
std::vector<std::filesystem::path> search_path();  // the paths of search_folders()
// The folder of the running concur binary.
std::filesystem::path executable_dir();
// --plugin-path: searched before everything else, in the order added.
void add_plugin_path(const std::filesystem::path &folder);

struct Discovery {
  std::vector<std::shared_ptr<Plugin>> plugins;  // the first of each name wins
  std::vector<std::string> origins;              // where each of them was found
  std::vector<std::string> problems;             // files refused, with why
  // Refused files by the name their file gives (threads.so: "threads"), when
  // no plugin of that name was found before them: a file that would have
  // been (or shadowed) that plugin. find() reports it instead of falling back.
  std::map<std::string, std::string> refused_names;
};
Discovery discover(const std::vector<SearchFolder> &folders = search_folders());
Discovery discover(const std::vector<std::filesystem::path> &folders);

// A plugin by name (searched) or by path (anything containing '/' or ending
// in .so). Throws PluginError listing what is available, or with the
// loader's reason when the file that bears the name was refused (a broken
// threads.so first in the path is an error, not a silent fallback to the
// next threads.so).
std::shared_ptr<Plugin> find(const std::string &name_or_path);

}  // namespace concur::plugin
