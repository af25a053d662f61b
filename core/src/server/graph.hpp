// The demo server's page graph, built deterministically from Settings
// (PROTOCOL.md, "Graph" and "Puzzles"). Same settings → same ids, types, links
// and puzzle seeds on any machine: only our own integer RNG, no std::
// distributions (their output differs between standard libraries).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/puzzles.hpp"
#include "server/settings.hpp"

namespace concur::server {

struct Page {
  std::string id;
  PageType type = PageType::regular;
  std::vector<uint32_t> links;  // indices into Graph::pages(), in link order
  // The puzzles hiding the links of a cpu or core page, link by link: 1 seed
  // (cpu) or id_length seeds (core) per link. A course puzzle page has exactly
  // one link; an original-profile one as many as the graph gave it. Else none.
  std::vector<std::string> seeds;
};

class Startup;

// automatic: cache only graphs whose puzzles take kCacheMinSteps chain steps
// or more; below that making them is about as quick as reading a file.
enum class CacheMode { automatic, always, never };
inline constexpr uint64_t kCacheMinSteps = 20'000'000;  // ~2 CPU-seconds

struct BuildOptions {
  CacheMode cache = CacheMode::automatic;
  std::string cache_dir;        // "": default_cache_dir()
  std::ostream *log = nullptr;  // progress and cache reports; null: std::cerr
  std::optional<bool> tty;      // progress in place; unset: isatty(stderr) for std::cerr
  Startup *startup = nullptr;   // told how far the puzzles are (a starting server's 503s)
  // Tests and benchmarks only: makes the puzzles instead of make_puzzles.
  std::function<std::vector<Puzzle>(const std::vector<PuzzleJob> &)> maker;
};

enum class CacheOutcome {
  off,      // not used (mode, threshold, no folder)
  hit,      // every puzzle came from the file
  miss,     // no file: made and saved
  corrupt,  // a file was refused (reported): made and saved anew
};

struct BuildStats {
  CacheOutcome cache = CacheOutcome::off;
  std::string cache_path;
  bool cache_saved = false;
  size_t puzzles_made = 0;   // made here, not loaded (redraws included)
  uint64_t chain_steps = 0;  // of the puzzles in the graph
  double seconds = 0;        // of the whole build
};

const char *cache_outcome_name(CacheOutcome outcome);

// What making the puzzles of a graph with these settings costs, known before
// the graph is built: exact for the course profile (one puzzle per cpu or core
// page); for the original, whose puzzle pages have one puzzle per link, from
// the mean number of links a page gets.
struct PuzzleCost {
  size_t puzzles = 0;
  uint64_t chain_steps = 0;
  double seconds = 0;  // make_seconds(chain_steps): wall time on every core, no cache
};
PuzzleCost puzzle_cost(const Settings &settings);

class Graph {
 public:
  // Validates settings (throws std::invalid_argument naming the setting) and
  // builds the graph, making puzzles on all cores — as much CPU as solving
  // every puzzle once — or loading them from the puzzle cache.
  static Graph build(const Settings &settings, const BuildOptions &options = {});
  // The checks build() starts with, alone: throws std::invalid_argument
  // naming the setting. Cheap (no graph), so a server can refuse bad
  // settings before it listens.
  static void check(const Settings &settings);

  const BuildStats &build_stats() const { return stats_; }

  const Settings &settings() const { return settings_; }
  const std::vector<Page> &pages() const { return pages_; }
  const Page &page(uint32_t index) const { return pages_.at(index); }
  std::optional<uint32_t> find(std::string_view id) const;
  uint32_t first() const { return 0; }  // the root page links here (original: regular)
  std::array<int, kPageTypeCount> type_counts() const;

 private:
  Settings settings_;
  BuildStats stats_;
  std::vector<Page> pages_;
  std::unordered_map<std::string, uint32_t> index_;
};

// Does the k-th request (k = 1, 2, ...) for failure page `id` fail? A pure
// function of (seed, id, k) with probability settings.failure_rate.
bool failure_request_fails(const Settings &settings, std::string_view id, uint64_t k);

const char *page_type_name(PageType type);
std::optional<PageType> parse_page_type(std::string_view name);

}  // namespace concur::server
