// `concur new-plugin NAME [--dir D]`: a folder holding plugins/template/ under
// a new name, and the commands that build and load it.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "cli/commands.hpp"
#include "cli/plugin_template.hpp"
#include "plugin/loader.hpp"

namespace concur::cli {
namespace {

namespace fs = std::filesystem;

struct NewPluginArgs {
  std::string name;
  std::string dir;  // empty: ./NAME
};

bool valid_name(const std::string &name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

// The template with every "template" made `name`: the C identifier-safe name
// is the plugin's name, its file's and its target's alike.
std::string renamed(std::string_view text, const std::string &name) {
  std::string out;
  const std::string_view word = "template";
  size_t at = 0;
  for (size_t hit; (hit = text.find(word, at)) != std::string_view::npos; at = hit + word.size())
    out.append(text.substr(at, hit - at)).append(name);
  return out.append(text.substr(at));
}

// The template's one-line description (what `concur plugins` shows) made the
// new plugin's own placeholder, so a copy does not present itself as the
// template. nullopt: the template has no `.description = "..."` to replace.
std::optional<std::string> with_own_description(std::string text, const std::string &name) {
  const std::string key = ".description = \"";
  const size_t start = text.find(key);
  if (start == std::string::npos) return std::nullopt;
  const size_t from = start + key.size(), to = text.find('"', from);
  if (to == std::string::npos) return std::nullopt;
  return text.replace(from, to - from, name + ": say here in one line how it schedules the work");
}

// How the new folder finds concur's CMake package: this binary's build tree,
// or the prefix it is installed in.
std::string package_hint() {
  const fs::path exe = plugin::executable_dir();
  if (fs::exists(exe / "concurConfig.cmake")) return "-Dconcur_DIR=" + exe.string();
  const fs::path prefix = fs::weakly_canonical(exe / "..");
  if (fs::exists(prefix / "lib" / "cmake" / "concur" / "concurConfig.cmake"))
    return "-DCMAKE_PREFIX_PATH=" + prefix.string();
  return "-DCMAKE_PREFIX_PATH=<where concur is installed>";
}

// How the printed commands call this binary: `concur` when that is the one on
// PATH, else its path — relative from here when it lies below (`build/concur`
// in a checkout), else absolute — so that each line runs as printed.
std::string how_to_call_concur() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "concur";
  const char *path_env = std::getenv("PATH");
  std::string_view dirs = path_env != nullptr ? path_env : "";
  while (!dirs.empty()) {
    const size_t colon = dirs.find(':');
    const fs::path candidate = fs::path(dirs.substr(0, colon)) / "concur";
    std::error_code absent;  // most PATH folders have no concur
    if (fs::equivalent(candidate, exe, absent)) return "concur";
    dirs = colon == std::string_view::npos ? "" : dirs.substr(colon + 1);
  }
  const fs::path relative = exe.lexically_relative(fs::current_path(ec));
  if (ec || relative.empty() || *relative.begin() == "..") return exe.string();
  return relative.has_parent_path() ? relative.string() : "./" + relative.string();
}

bool write_file(const fs::path &path, const std::string &text) {
  std::ofstream out(path);
  out << text;
  out.close();
  if (out) return true;
  std::cerr << "concur: cannot write " << path.string() << "\n";
  return false;
}

int new_plugin(const NewPluginArgs &args) {
  if (!valid_name(args.name) || args.name == "template") {
    std::cerr << "concur: new-plugin: '" << args.name
              << "' is not a plugin name: lowercase letters, digits and '_' only (and not "
                 "'template')\n";
    return kExitUsage;
  }
  const fs::path dir = args.dir.empty() ? fs::path(args.name) : fs::path(args.dir);
  const fs::path source = dir / (args.name + ".c"), cmake = dir / "CMakeLists.txt";
  for (const auto &path : {source, cmake})
    if (fs::exists(path)) {
      std::cerr << "concur: new-plugin: " << path.string() << " exists; not overwriting it\n";
      return kExitUsage;
    }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    std::cerr << "concur: new-plugin: cannot create " << dir.string() << ": " << ec.message()
              << "\n";
    return kExitRunFailed;
  }
  const auto source_text = with_own_description(renamed(kTemplateSource, args.name), args.name);
  if (!source_text) {
    std::cerr << "concur: new-plugin: this build's template has no .description to replace\n";
    return kExitRunFailed;
  }
  if (!write_file(source, *source_text) || !write_file(cmake, renamed(kTemplateCMake, args.name)))
    return kExitRunFailed;
  const std::string d = dir.string(), build = (dir / "build").string();
  const std::string concur = how_to_call_concur();
  std::cout << "concur: wrote " << source.string() << " and " << cmake.string() << ". Next:\n"
            << "  cmake -S " << d << " -B " << build << " " << package_hint() << "\n"
            << "  cmake --build " << build << "\n"
            << "  " << concur << " --plugin-path " << build << " plugins --describe " << args.name
            << "\n"
            << "  " << concur << " --plugin-path " << build
            << " run CONFIG.yaml   # with '- plugin: " << args.name << "'\n";
  return kExitOk;
}

}  // namespace

Subcommand add_new_plugin(CLI::App &app) {
  auto args = std::make_shared<NewPluginArgs>();
  CLI::App *sub = app.add_subcommand(
      "new-plugin", "Start a strategy plugin of your own from the commented C template");
  sub->add_option("name", args->name, "The plugin's name: [a-z0-9_]+, e.g. my_strategy")
      ->required();
  sub->add_option("--dir", args->dir, "Folder to write it in (default: ./NAME)");
  sub->footer(
      "Writes NAME.c and CMakeLists.txt (plugins/template/ renamed) and prints the commands\n"
      "that build it against this concur and load it. docs/plugin-guide.md explains the ABI.");
  return {sub, [args] { return new_plugin(*args); }};
}

}  // namespace concur::cli
