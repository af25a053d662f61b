#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "plugin/loader.hpp"

namespace concur::cli {
namespace {

const char *type_name(concur_option_type type) {
  switch (type) {
    case CONCUR_OPT_INT:
      return "int";
    case CONCUR_OPT_DOUBLE:
      return "double";
    case CONCUR_OPT_BOOL:
      return "bool";
    case CONCUR_OPT_STRING:
      return "string";
  }
  return "?";
}

void print_options(const plugin::Plugin &p) {
  if (p.options().empty()) std::cout << "    (no options)\n";
  for (const auto &o : p.options()) {
    std::cout << "    " << o.name << " (" << type_name(o.type);
    if (o.choices) std::cout << ": " << o.choices;
    if (o.type == CONCUR_OPT_INT && o.min <= o.max)
      std::cout << ", " << static_cast<long long>(o.min) << ".." << static_cast<long long>(o.max);
    if (o.type == CONCUR_OPT_DOUBLE && o.min <= o.max) std::cout << ", " << o.min << ".." << o.max;
    // An empty string default reads `""`, not a blank ("default )").
    const char *shown_default = o.default_value == nullptr ? "-"
                                : *o.default_value == '\0' ? "\"\""
                                                           : o.default_value;
    std::cout << ", default " << shown_default << ")  " << (o.help ? o.help : "") << "\n";
  }
}

int list(const std::string &describe) {
  plugin::Discovery found = plugin::discover();
  int shown = 0;
  for (size_t i = 0; i < found.plugins.size(); ++i) {
    const auto &p = found.plugins[i];
    if (!describe.empty() && p->name() != describe) continue;
    const concur_plugin &d = p->descriptor();
    std::cout << p->name() << "  " << d.version << "  ABI " << d.abi_version << "  "
              << d.description << "\n    file: " << p->file().string() << "  (from "
              << found.origins[i] << ")\n";
    print_options(*p);
    ++shown;
  }
  for (const auto &problem : found.problems) std::cerr << "concur: refused " << problem << "\n";
  if (!describe.empty() && shown == 0) {
    std::cerr << "concur: no plugin named '" << describe << "'\n";
    return kExitUsage;
  }
  if (shown == 0) {
    std::cerr << "concur: no plugins found in:";
    for (const auto &folder : plugin::search_path()) std::cerr << " " << folder.string();
    std::cerr << "\n";
  }
  return kExitOk;
}

}  // namespace

Subcommand add_plugins(CLI::App &app) {
  auto describe = std::make_shared<std::string>();
  CLI::App *sub = app.add_subcommand("plugins", "List the strategy plugins found, with options");
  sub->add_option("--describe", *describe, "Show only this plugin");
  sub->footer(
      "Plugins are looked for in the folders given with --plugin-path, then in\n"
      "$CONCUR_PLUGIN_PATH (colon-separated), then in plugins/ next to the concur binary\n"
      "(the build tree), then in ../lib/concur/plugins (the install location). The first\n"
      "plugin of each name wins; each is listed with where it came from.");
  return {sub, [describe] { return list(*describe); }};
}

}  // namespace concur::cli
