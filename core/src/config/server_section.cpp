// The `server:` section: the embedded demo server's settings (PROTOCOL.md), or
// base_url plus the description of that server's puzzles.
#include <cmath>
#include <cstdio>
#include <limits>

#include "config/sections.hpp"

namespace concur::config::detail {
namespace {

constexpr double kUnbounded = std::numeric_limits<double>::max();
constexpr std::string_view kHashRules[] = {"indexed", "plain"};
constexpr std::string_view kLinkFormats[] = {"path", "id", "url"};
// What may sit beside base_url: they describe a running server's puzzles,
// which the original server does not announce; `profile` gives all four the
// defaults of that kind of server.
constexpr std::string_view kPuzzleKeys[] = {"profile", "id_length", "hash_rule", "cpu_iterations",
                                            "core_iterations"};

std::string read_base_url(const Field &field) {
  std::string url = field.string();
  const bool http = url.starts_with("http://") && url.size() > 7;
  const bool https = url.starts_with("https://") && url.size() > 8;
  if (!http && !https) field.expected("an http:// or https:// URL");
  // Page links are paths ("/api/ab12"), appended to the base as they are.
  while (url.ends_with('/')) url.pop_back();
  return url;
}

// shares / delays_ms: a mapping from page type to a number; types not given
// keep their defaults.
void read_by_type(const Field &field, std::array<double, server::kPageTypeCount> &values,
                  double min, double max) {
  const std::vector<std::string_view> names(server::kPageTypeNames.begin(),
                                            server::kPageTypeNames.end());
  for (const Entry &entry : field.map().entries) {
    size_t type = 0;
    while (type < names.size() && names[type] != entry.key) ++type;
    if (type == names.size()) unknown_key(entry, child_path(field.path(), entry.key), names);
    values[type] = Field(entry, child_path(field.path(), entry.key)).number(min, max);
  }
}

void read_shares(const Field &field, Draft &draft) {
  auto &shares = draft.exp.server.shares;
  read_by_type(field, shares, 0, 1);
  double sum = 0;
  std::string listing;
  for (size_t type = 0; type < shares.size(); ++type) {
    sum += shares[type];
    listing += std::string(listing.empty() ? "" : " ") + server::kPageTypeNames[type] + "=" +
               format_number(shares[type]);
  }
  if (std::abs(sum - 1) > 1e-9) {
    // %g: the sum's rounding noise (1.0999999999999999) would only distract.
    char total[32];
    std::snprintf(total, sizeof total, "%g", sum);
    field.fail_key("must sum to 1 after merging with the defaults, got " + std::string(total) +
                   " (" + listing + ")");
  }
}

using server::LinkFormat;

LinkFormat read_link_format(const Field &field) {
  const std::string text = field.one_of(kLinkFormats);
  if (text == "id") return LinkFormat::id;
  return text == "url" ? LinkFormat::url : LinkFormat::path;
}

const KeyRule<Draft> kServerKeys[] = {
    {"base_url", [](const Field &f, Draft &d) { d.exp.base_url = read_base_url(f); }},
    {"profile",
     [](const Field &f, Draft &d) {
       d.exp.server.profile = *server::parse_profile(f.one_of(server::kProfileNames));
     }},
    {"seed", [](const Field &f, Draft &d) { d.exp.server.seed = f.unsigned_integer(0); }},
    {"pages", [](const Field &f, Draft &d) { d.exp.server.pages = f.integer(1); }},
    {"id_length", [](const Field &f, Draft &d) { d.exp.server.id_length = f.integer(1, 16); }},
    {"extra_edges", [](const Field &f, Draft &d) { d.exp.server.extra_edges = f.integer(0); }},
    {"delay_scale",
     [](const Field &f, Draft &d) { d.exp.server.delay_scale = f.number(0, kUnbounded); }},
    {"failure_rate", [](const Field &f, Draft &d) { d.exp.server.failure_rate = f.number(0, 1); }},
    {"cpu_iterations",
     [](const Field &f, Draft &d) { d.exp.server.cpu_iterations = f.unsigned_integer(1); }},
    {"core_iterations",
     [](const Field &f, Draft &d) { d.exp.server.core_iterations = f.unsigned_integer(1); }},
    {"hash_rule",
     [](const Field &f, Draft &d) {
       d.exp.server.hash_rule = *hash::parse_rule(f.one_of(kHashRules));
     }},
    {"link_format",
     [](const Field &f, Draft &d) { d.exp.server.link_format = read_link_format(f); }},
    {"max_connections",
     [](const Field &f, Draft &d) { d.exp.server.max_connections = f.integer(1); }},
    {"idle_timeout_s",
     [](const Field &f, Draft &d) { d.exp.server.idle_timeout_s = f.number(0, kUnbounded); }},
    {"port", [](const Field &f, Draft &d) { d.exp.server.port = f.integer(0, 65535); }},
    {"host", [](const Field &f, Draft &d) { d.exp.server.host = f.non_empty_string(); }},
    {"shares", read_shares},
    {"delays_ms",
     [](const Field &f, Draft &d) { read_by_type(f, d.exp.server.delays_ms, 0, kUnbounded); }},
};

bool is_puzzle_key(std::string_view key) {
  for (std::string_view puzzle : kPuzzleKeys) {
    if (key == puzzle) return true;
  }
  return false;
}

// PROTOCOL.md: ids are drawn at random, so the id space must be roomy.
void check_id_space(const Field &section, const Draft &draft) {
  const auto &settings = draft.exp.server;
  if (settings.id_length >= 16) return;  // 16^16 = 2^64 ids: always enough
  const uint64_t ids = uint64_t{1} << (4 * settings.id_length);
  if (ids >= 8 * static_cast<uint64_t>(settings.pages)) return;
  const Entry *culprit = section.node().find("pages");
  if (culprit == nullptr) culprit = section.node().find("id_length");
  const std::string path = child_path(section.path(), culprit ? culprit->key : "pages");
  const std::string message = "16^" + std::to_string(settings.id_length) + " = " +
                              std::to_string(ids) + " page ids are too few for " +
                              std::to_string(settings.pages) +
                              " pages (at least 8 ids per page are needed); raise "
                              "server.id_length or lower server.pages";
  if (culprit == nullptr) section.fail_key(message);
  Field(*culprit, path).fail_key(message);
}

// PROTOCOL.md, "Profiles": the profile's defaults for the settings it implies,
// except those the section gives itself, whatever their order.
void apply_profile_defaults(const Node &map, server::Settings &settings) {
  const server::Settings given = settings;
  server::apply_profile(settings, settings.profile);
  if (map.find("id_length") != nullptr) settings.id_length = given.id_length;
  if (map.find("hash_rule") != nullptr) settings.hash_rule = given.hash_rule;
  if (map.find("cpu_iterations") != nullptr) settings.cpu_iterations = given.cpu_iterations;
  if (map.find("core_iterations") != nullptr) settings.core_iterations = given.core_iterations;
  if (map.find("link_format") != nullptr) settings.link_format = given.link_format;
}

}  // namespace

std::vector<std::string> server_key_names() {
  std::vector<std::string> names;
  for (const auto &rule : kServerKeys) names.emplace_back(rule.name);
  return names;
}

void read_server(const Field &field, Draft &draft) {
  const Node &map = field.map();
  read_keys<Draft>(map, field.path(), kServerKeys, draft);
  apply_profile_defaults(map, draft.exp.server);
  for (const Entry &entry : map.entries) draft.exp.server_keys.push_back(entry.key);
  if (const Entry *profile = map.find("profile")) draft.exp.profile_where = profile->where;
  if (!draft.exp.base_url) {
    check_id_space(field, draft);
    return;
  }
  for (const Entry &entry : map.entries) {
    if (entry.key == "base_url" || is_puzzle_key(entry.key)) continue;
    Field(entry, child_path(field.path(), entry.key))
        .fail_key(
            "embedded server settings cannot be combined with base_url (beside it only "
            "profile, id_length, hash_rule, cpu_iterations and core_iterations may be given)");
  }
}

}  // namespace concur::config::detail
