// The made puzzles on disk (docs/architecture.md, "Demo server"): making them
// at full difficulty costs ~1000 CPU-seconds, loading them a few milliseconds.
// A file is keyed by every setting that changes the puzzles, checked on load
// (header, checksum, each record against its seeds) and never trusted when any
// check fails: it is reported in one line and rebuilt.
#pragma once

#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "server/puzzles.hpp"
#include "server/settings.hpp"

namespace concur::server {

inline constexpr int kCacheFormat = 1;

struct CachedPuzzle {
  PuzzleJob job;
  Puzzle puzzle;
};

// Why a cache file was refused ("checksum mismatch", "truncated", ...).
struct CacheError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Every input that changes the puzzles, as one canonical line (the profile
// only when it is not `course`); delays, failure_rate, network and link
// format do not appear.
std::string cache_key(const Settings &settings);
// "puzzles-<16 hex of the key's sha256>.cache"
std::string cache_file_name(const Settings &settings);
// $CONCUR_CACHE_DIR, else $XDG_CACHE_HOME/concur, else ~/.cache/concur; "" if
// none of them is set.
std::string default_cache_dir();

std::string encode_cache(const Settings &settings, const std::vector<CachedPuzzle> &puzzles);
// Throws CacheError naming the first check that failed.
std::vector<CachedPuzzle> decode_cache(std::string_view bytes, const Settings &settings);

// One cache file and the one-line reports about it.
class PuzzleCache {
 public:
  PuzzleCache(const std::string &dir, const Settings &settings, std::ostream *log);

  const std::string &path() const { return path_; }
  // nullopt when there is no usable file; a refused one has been reported.
  std::optional<std::vector<CachedPuzzle>> load();
  void report_corrupt(const std::string &reason);
  bool corrupt() const { return corrupt_; }
  // Atomic (temporary file, fsync, rename); a failure is reported, not thrown.
  bool save(const std::vector<CachedPuzzle> &puzzles);

 private:
  void warn(const std::string &message);

  std::string dir_, path_;
  const Settings &settings_;
  std::ostream *log_;
  bool corrupt_ = false;
};

}  // namespace concur::server
