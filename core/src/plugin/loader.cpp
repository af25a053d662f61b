#include "plugin/loader.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdlib>
#include <set>

namespace concur::plugin {
namespace {

namespace fs = std::filesystem;

bool valid_name(const char *name) {
  if (name == nullptr || *name == '\0') return false;
  return std::all_of(name, name + std::char_traits<char>::length(name), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

// The descriptor as ABI 1.0 defined it ends at `run`. Members appended since
// (serve, 1.2) are read only when CONCUR_PLUGIN_HAS says the descriptor holds
// them.
constexpr size_t kPluginV1Size = offsetof(concur_plugin, run) + sizeof(concur_plugin::run);

// The descriptor must be one this host can read: same ABI major version, big
// enough to hold every member of 1.0, with a name and a run function.
void check_descriptor(const fs::path &file, const concur_plugin *d) {
  const std::string where = file.string() + ": ";
  if (d == nullptr) throw PluginError(where + CONCUR_PLUGIN_ENTRY_SYMBOL "() returned NULL");
  if (d->abi_version != CONCUR_ABI_VERSION)
    throw PluginError(where + "plugin ABI version " + std::to_string(d->abi_version) +
                      ", but this concur speaks ABI version " + std::to_string(CONCUR_ABI_VERSION));
  if (!CONCUR_PLUGIN_HAS(d, run))
    throw PluginError(where + "descriptor is " + std::to_string(d->struct_size) +
                      " bytes, ABI version 1 needs " + std::to_string(kPluginV1Size));
  if (!valid_name(d->name))
    throw PluginError(where + "plugin name must be lowercase letters, digits and '_'");
  if (d->run == nullptr) throw PluginError(where + "plugin '" + d->name + "' has no run function");
  if (d->option_count > 0 && d->options == nullptr)
    throw PluginError(where + "plugin '" + d->name + "' declares options but gives no table");
  for (size_t i = 0; i < d->option_count; ++i)
    if (!valid_name(d->options[i].name))
      throw PluginError(where + "plugin '" + d->name + "' declares an option with a bad name");
}

void run_init(const fs::path &file, const concur_plugin *d) {
  if (d->init == nullptr) return;
  char err[512] = {0};
  if (d->init(err, sizeof err) != 0) {
    err[sizeof err - 1] = '\0';
    throw PluginError(file.string() + ": plugin '" + d->name +
                      "' failed to initialise: " + (err[0] ? err : "no reason given"));
  }
}

std::vector<fs::path> plugin_files(const fs::path &folder) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(folder, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".so") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

Plugin::Plugin(fs::path file, void *handle, const concur_plugin *descriptor)
    : file_(std::move(file)), handle_(handle), descriptor_(descriptor), name_(descriptor->name) {}

Plugin::~Plugin() {
  dlclose(handle_);
}

std::shared_ptr<Plugin> Plugin::load(const fs::path &file) {
  // RTLD_LOCAL: two plugins may define the same internal symbols.
  void *handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) throw PluginError(file.string() + ": cannot load: " + dlerror());
  try {
    void *entry = dlsym(handle, CONCUR_PLUGIN_ENTRY_SYMBOL);
    if (entry == nullptr)
      throw PluginError(file.string() + ": missing symbol " CONCUR_PLUGIN_ENTRY_SYMBOL
                                        " (is it exported with CONCUR_EXPORT?)");
    auto descriptor = reinterpret_cast<concur_plugin_entry_fn>(entry)();
    check_descriptor(file, descriptor);
    run_init(file, descriptor);
    return std::shared_ptr<Plugin>(new Plugin(file, handle, descriptor));
  } catch (...) {
    dlclose(handle);
    throw;
  }
}

fs::path executable_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

std::vector<fs::path> &given_paths() {
  static std::vector<fs::path> paths;  // set from main() before anything is loaded
  return paths;
}

void add_plugin_path(const fs::path &folder) {
  given_paths().push_back(folder);
}

std::vector<SearchFolder> search_folders() {
  std::vector<SearchFolder> folders;
  for (const auto &path : given_paths()) folders.push_back({path, "--plugin-path"});
  if (const char *env = std::getenv("CONCUR_PLUGIN_PATH")) {
    std::string list = env;
    for (size_t start = 0; start <= list.size();) {
      size_t end = std::min(list.find(':', start), list.size());
      if (end > start) folders.push_back({list.substr(start, end - start), "CONCUR_PLUGIN_PATH"});
      start = end + 1;
    }
  }
  const fs::path exe = executable_dir();
  folders.push_back({exe / CONCUR_PLUGIN_DIR_RELATIVE, "build tree"});
  folders.push_back({exe / ".." / "lib" / "concur" / "plugins", "install location"});
  return folders;
}

std::vector<fs::path> search_path() {
  std::vector<fs::path> paths;
  for (auto &folder : search_folders()) paths.push_back(std::move(folder.path));
  return paths;
}

Discovery discover(const std::vector<SearchFolder> &folders) {
  Discovery found;
  std::set<std::string> names;
  for (const auto &folder : folders) {
    for (const auto &file : plugin_files(folder.path)) {
      try {
        auto plugin = Plugin::load(file);
        if (names.insert(plugin->name()).second) {
          found.plugins.push_back(std::move(plugin));
          found.origins.push_back(folder.origin);
        }
      } catch (const PluginError &e) {
        found.problems.push_back(e.what());
        const std::string stem = file.stem().string();
        if (!names.count(stem)) found.refused_names.try_emplace(stem, e.what());
      }
    }
  }
  return found;
}

Discovery discover(const std::vector<fs::path> &folders) {
  std::vector<SearchFolder> labelled;
  for (const auto &path : folders) labelled.push_back({path, path.string()});
  return discover(labelled);
}

std::shared_ptr<Plugin> find(const std::string &name_or_path) {
  if (name_or_path.find('/') != std::string::npos || fs::path(name_or_path).extension() == ".so")
    return Plugin::load(name_or_path);
  Discovery found = discover();
  if (auto refused = found.refused_names.find(name_or_path); refused != found.refused_names.end())
    throw PluginError("plugin '" + name_or_path + "' refused: " + refused->second);
  std::string available;
  for (auto &plugin : found.plugins) {
    if (plugin->name() == name_or_path) return plugin;
    available += (available.empty() ? "" : ", ") + plugin->name();
  }
  const std::string refused = found.problems.empty()
                                  ? ""
                                  : "; " + std::to_string(found.problems.size()) +
                                        " file(s) refused, `concur plugins` says why";
  throw PluginError("unknown plugin '" + name_or_path + "' (available: " +
                    (available.empty() ? "none found" : available) + ")" + refused);
}

}  // namespace concur::plugin
