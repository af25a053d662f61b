// Every setting of the demo server (PROTOCOL.md). One struct, filled from the
// YAML `server:` section, from `concur serve` flags, or left at the defaults.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hash/md5_chain.hpp"

namespace concur::server {

enum class PageType { regular = 0, delay, failure, cpu, core };
inline constexpr size_t kPageTypeCount = 5;
inline constexpr std::array<const char *, kPageTypeCount> kPageTypeNames = {
    "regular", "delay", "failure", "cpu", "core"};

enum class LinkFormat { path, id, url };

// Which server ours imitates (PROTOCOL.md, "Profiles"). The profile itself
// decides the page shapes (cpu/core fields, links of a puzzle page), the
// endpoints and the first page's type; it also chooses the defaults of
// id_length, hash_rule, cpu_iterations, core_iterations and link_format, which
// apply_profile() sets and a user's own values override.
enum class Profile { course, original };
inline constexpr std::array<std::string_view, 2> kProfileNames = {"course", "original"};

struct Settings {
  Profile profile = Profile::course;
  uint64_t seed = 42;
  int pages = 1000;
  int id_length = 4;
  int extra_edges = 2000;
  // Shares of each page type, by PageType; counts are exact (largest remainder).
  std::array<double, kPageTypeCount> shares = {0.6, 0.1, 0.1, 0.1, 0.1};
  // Delay before answering, ms, by PageType; multiplied by delay_scale.
  std::array<double, kPageTypeCount> delays_ms = {500, 5000, 500, 100, 100};
  double delay_scale = 1.0;
  double failure_rate = 0.9;
  uint64_t cpu_iterations = 50'000'000;
  uint64_t core_iterations = 12'500'000;
  hash::Rule hash_rule = hash::Rule::indexed;
  LinkFormat link_format = LinkFormat::path;
  // Network.
  std::string host = "127.0.0.1";
  int port = 0;  // 0: an ephemeral port
  int max_connections = 10'000;
  // Seconds a client may take to send a whole request (counted from the end of
  // the previous answer: an idle keep-alive connection too) or to take a whole
  // answer; past it the connection is closed, so stalled clients cannot hold
  // max_connections slots for ever. The page's own delay does not count. 0: never.
  double idle_timeout_s = 60;
};

inline std::string_view profile_name(Profile profile) {
  return kProfileNames.at(static_cast<size_t>(profile));
}

inline std::optional<Profile> parse_profile(std::string_view name) {
  for (size_t p = 0; p < kProfileNames.size(); ++p)
    if (name == kProfileNames[p]) return Profile(p);
  return std::nullopt;
}

// Sets `profile` and the five settings it implies to that profile's defaults;
// the rest of `settings` is left alone. Callers apply the user's own settings
// afterwards, so that they win over the profile.
inline void apply_profile(Settings &settings, Profile profile) {
  const Settings course;
  settings.profile = profile;
  settings.id_length = profile == Profile::original ? 6 : course.id_length;
  settings.hash_rule = profile == Profile::original ? hash::Rule::plain : course.hash_rule;
  settings.cpu_iterations = profile == Profile::original ? 5'000'000 : course.cpu_iterations;
  settings.core_iterations = profile == Profile::original ? 1'250'000 : course.core_iterations;
  settings.link_format = profile == Profile::original ? LinkFormat::id : course.link_format;
}

// The defaults of a profile: Settings{} with apply_profile(profile).
inline Settings profile_settings(Profile profile) {
  Settings settings;
  apply_profile(settings, profile);
  return settings;
}

}  // namespace concur::server
