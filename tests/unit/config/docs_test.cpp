// docs/config.md against the validator: every key the loader accepts is in the
// reference's tables, and every key the tables list is one the loader accepts.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <string>

#include "config/experiment.hpp"

namespace {

// "## `crawl`" → "crawl."; "### `backoff`" under it → "crawl.backoff."; "##
// Top level" → "". Any other heading holds no key table of its own.
std::optional<std::string> heading_prefix(const std::string &line,
                                          const std::optional<std::string> &section) {
  auto ticked = [&line](size_t from) -> std::optional<std::string> {
    if (line.size() < from + 2 || line[from] != '`' || line.back() != '`') return std::nullopt;
    return line.substr(from + 1, line.size() - from - 2);
  };
  if (line.rfind("## ", 0) == 0) {
    if (line == "## Top level") return std::string();
    if (auto name = ticked(3)) return *name + ".";
    return std::nullopt;
  }
  if (auto name = ticked(4); name && section) return *section + *name + ".";
  return std::nullopt;
}

std::set<std::string> documented_keys(const std::string &path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::set<std::string> keys;
  std::optional<std::string> section, prefix;
  bool in_key_table = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) section = prefix = heading_prefix(line, std::nullopt);
    if (line.rfind("### ", 0) == 0) prefix = heading_prefix(line, section);
    if (line.rfind("| key | type | default | meaning |", 0) == 0) in_key_table = true;
    if (line.empty() || line[0] != '|') in_key_table = false;
    if (!in_key_table || !prefix || line.rfind("| `", 0) != 0) continue;
    const size_t end = line.find('`', 3);
    keys.insert(*prefix + line.substr(3, end - 3));
  }
  // strategies entries are prose: `plugin`, and then the plugin's own options.
  in.clear();
  in.seekg(0);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.find("- `plugin` (required") != std::string::npos) keys.insert("strategies[].plugin");
  if (text.find("- `thresholds` (optional") != std::string::npos)
    keys.insert("strategies[].thresholds");
  return keys;
}

}  // namespace

TEST_CASE("docs/config.md documents exactly the keys the validator accepts", "[config][docs]") {
  const auto documented = documented_keys(CONCUR_SOURCE_DIR "/docs/config.md");
  const auto known = concur::config::known_keys();
  const std::set<std::string> accepted(known.begin(), known.end());
  REQUIRE(accepted.size() == known.size());  // no key listed twice by the validator
  for (const auto &key : accepted) {
    INFO("accepted by the validator, missing from docs/config.md: " << key);
    CHECK(documented.count(key) == 1);
  }
  for (const auto &key : documented) {
    INFO("in docs/config.md, unknown to the validator: " << key);
    CHECK(accepted.count(key) == 1);
  }
  CHECK(accepted.size() > 30);  // the parse found the tables at all
}
