#include "server/puzzle_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>
#include <tuple>

#include "hash/md5_chain.hpp"
#include "hash/sha256.hpp"

namespace concur::server {
namespace {

constexpr std::string_view kMagic = "concur puzzle cache";
constexpr size_t kMaxFileBytes = 256u << 20;  // far beyond any sane graph

bool is_hex32(std::string_view text) {
  return text.size() == 32 && text.find_first_not_of("0123456789abcdef") == text.npos;
}

// Splits off the next `sep`-terminated field; throws if there is none.
std::string_view next_field(std::string_view &text, char sep, const char *what) {
  const size_t end = text.find(sep);
  if (end == text.npos) throw CacheError(std::string("truncated (") + what + ")");
  const std::string_view field = text.substr(0, end);
  text.remove_prefix(end + 1);
  return field;
}

uint64_t parse_number(std::string_view text, const char *what) {
  uint64_t value = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size())
    throw CacheError(std::string("bad ") + what);
  return value;
}

void expect_line(std::string_view &text, std::string_view prefix, std::string_view wanted,
                 const char *what) {
  const std::string_view line = next_field(text, '\n', what);
  if (!line.starts_with(prefix)) throw CacheError(std::string("bad ") + what + " line");
  if (line.substr(prefix.size()) != wanted)
    throw CacheError(std::string(what) + " mismatch (" + std::string(line.substr(prefix.size())) +
                     ")");
}

// One record: "<page>[.<link>] <attempt> <cpu|core> <target> <seed>:<result>...";
// ".<link>" only when the link is not the page's first (original profile).
CachedPuzzle decode_record(std::string_view line, const Settings &s) {
  std::istringstream in{std::string(line)};
  std::string page, attempt, type;
  CachedPuzzle c;
  in >> page >> attempt >> type >> c.puzzle.target_id;
  std::string_view page_field = page;
  if (const size_t dot = page_field.find('.'); dot != page_field.npos) {
    c.job.link = static_cast<uint32_t>(parse_number(page_field.substr(dot + 1), "link index"));
    page_field = page_field.substr(0, dot);
    // A page links to each other page at most once.
    if (c.job.link == 0 || c.job.link >= static_cast<uint64_t>(s.pages))
      throw CacheError("link index out of range");
  }
  c.job.page = static_cast<uint32_t>(parse_number(page_field, "page index"));
  c.job.attempt = static_cast<uint32_t>(parse_number(attempt, "attempt"));
  if (type != "cpu" && type != "core") throw CacheError("bad puzzle type '" + type + "'");
  c.job.type = type == "cpu" ? PageType::cpu : PageType::core;
  if (c.job.page >= static_cast<uint64_t>(s.pages)) throw CacheError("page index out of range");
  for (std::string pair; in >> pair;) {
    const size_t colon = pair.find(':');
    if (colon == pair.npos || !is_hex32(pair.substr(colon + 1)))
      throw CacheError("bad chain result of page " + page);
    c.puzzle.seeds.push_back(pair.substr(0, colon));
    c.puzzle.results.push_back(pair.substr(colon + 1));
  }
  // The seeds follow from (seed, page, link, attempt): a record made by another
  // build or edited by hand shows here, and the target must be what the
  // recorded chain results give.
  if (c.puzzle.seeds != puzzle_seeds(s, c.job))
    throw CacheError("seeds of page " + page + " are not its own");
  if (c.puzzle.target_id != target_from_results(s, c.job.type, c.puzzle.results))
    throw CacheError("target id of page " + page + " does not match its chain results");
  return c;
}

}  // namespace

std::string cache_key(const Settings &s) {
  std::string key = "seed=" + std::to_string(s.seed) + " pages=" + std::to_string(s.pages) +
                    " id_length=" + std::to_string(s.id_length) +
                    " extra_edges=" + std::to_string(s.extra_edges) + " shares=";
  for (size_t t = 0; t < kPageTypeCount; ++t) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, s.shares[t]);  // shortest exact form
    key += (t ? "," : "") + std::string(buf, r.ptr);
  }
  key += " hash_rule=" + std::string(hash::rule_name(s.hash_rule)) +
         " cpu_iterations=" + std::to_string(s.cpu_iterations) +
         " core_iterations=" + std::to_string(s.core_iterations);
  // The profile changes the graph and the puzzle streams. Named only when it
  // is not the course's, so the keys (and files) of course graphs are what
  // they were before profiles existed.
  if (s.profile != Profile::course) key += " profile=" + std::string(profile_name(s.profile));
  return key;
}

std::string cache_file_name(const Settings &s) {
  return "puzzles-" + hash::sha256(cache_key(s)).substr(0, 16) + ".cache";
}

std::string default_cache_dir() {
  auto env = [](const char *name) -> std::string {
    const char *value = std::getenv(name);
    return value == nullptr ? "" : value;
  };
  if (const auto dir = env("CONCUR_CACHE_DIR"); !dir.empty()) return dir;
  // The XDG spec says to ignore a relative XDG_CACHE_HOME.
  if (const auto xdg = env("XDG_CACHE_HOME"); !xdg.empty() && xdg[0] == '/') return xdg + "/concur";
  if (const auto home = env("HOME"); !home.empty()) return home + "/.cache/concur";
  return "";
}

std::string encode_cache(const Settings &s, const std::vector<CachedPuzzle> &puzzles) {
  std::string payload;
  for (const auto &c : puzzles) {
    payload += std::to_string(c.job.page);
    if (c.job.link != 0) payload += '.' + std::to_string(c.job.link);
    payload += ' ' + std::to_string(c.job.attempt) + ' ' +
               (c.job.type == PageType::cpu ? "cpu " : "core ") + c.puzzle.target_id;
    for (size_t j = 0; j < c.puzzle.seeds.size(); ++j)
      payload += ' ' + c.puzzle.seeds[j] + ':' + c.puzzle.results.at(j);
    payload += '\n';
  }
  std::string out = std::string(kMagic) + "\nformat " + std::to_string(kCacheFormat) + "\nkey " +
                    cache_key(s) + "\npuzzles " + std::to_string(puzzles.size()) + "\npayload " +
                    std::to_string(payload.size()) + " sha256 " + hash::sha256(payload) + "\n";
  return out + payload;
}

std::vector<CachedPuzzle> decode_cache(std::string_view text, const Settings &s) {
  if (next_field(text, '\n', "magic") != kMagic) throw CacheError("not a puzzle cache");
  expect_line(text, "format ", std::to_string(kCacheFormat), "format version");
  expect_line(text, "key ", cache_key(s), "key");
  std::string_view line = next_field(text, '\n', "count");
  if (!line.starts_with("puzzles ")) throw CacheError("bad count line");
  const uint64_t count = parse_number(line.substr(8), "count");
  line = next_field(text, '\n', "payload line");
  if (!line.starts_with("payload ")) throw CacheError("bad payload line");
  line.remove_prefix(8);
  const uint64_t bytes = parse_number(next_field(line, ' ', "payload line"), "payload size");
  if (!line.starts_with("sha256 ")) throw CacheError("bad payload line");
  if (text.size() < bytes) throw CacheError("truncated");
  if (text.size() > bytes) throw CacheError("trailing bytes");
  if (hash::sha256(text) != line.substr(7)) throw CacheError("checksum mismatch");

  std::vector<CachedPuzzle> puzzles;
  std::set<std::tuple<uint32_t, uint32_t, uint32_t>> jobs;
  while (!text.empty()) {
    puzzles.push_back(decode_record(next_field(text, '\n', "record"), s));
    const PuzzleJob &job = puzzles.back().job;
    if (!jobs.emplace(job.page, job.link, job.attempt).second)
      throw CacheError("a puzzle appears twice");
  }
  if (puzzles.size() != count) throw CacheError("wrong number of puzzles");
  return puzzles;
}

PuzzleCache::PuzzleCache(const std::string &dir, const Settings &settings, std::ostream *log)
    : dir_(dir), path_(dir + "/" + cache_file_name(settings)), settings_(settings), log_(log) {}

void PuzzleCache::warn(const std::string &message) {
  if (log_ != nullptr) *log_ << "concur: " << message << "\n" << std::flush;
}

void PuzzleCache::report_corrupt(const std::string &reason) {
  corrupt_ = true;
  warn("puzzle cache " + path_ + " is corrupt (" + reason + "); rebuilding");
}

std::optional<std::vector<CachedPuzzle>> PuzzleCache::load() {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT && errno != ENOTDIR)
      warn("cannot read puzzle cache " + path_ + ": " + std::strerror(errno));
    return std::nullopt;
  }
  std::string bytes;
  char buf[1 << 16];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 && bytes.size() <= kMaxFileBytes)
    bytes.append(buf, static_cast<size_t>(n));
  const int read_errno = errno;
  ::close(fd);
  if (n < 0) {
    warn("cannot read puzzle cache " + path_ + ": " + std::strerror(read_errno));
    return std::nullopt;
  }
  try {
    if (bytes.size() > kMaxFileBytes) throw CacheError("too large");
    return decode_cache(bytes, settings_);
  } catch (const CacheError &e) {
    report_corrupt(e.what());
  }
  return std::nullopt;
}

bool PuzzleCache::save(const std::vector<CachedPuzzle> &puzzles) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  const std::string bytes = encode_cache(settings_, puzzles);
  std::string temp = path_ + ".XXXXXX";  // same folder: rename stays atomic
  const int fd = ec ? -1 : ::mkstemp(temp.data());
  const int open_errno = ec ? ec.value() : errno;
  bool ok = fd >= 0;
  for (size_t done = 0; ok && done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    ok = n > 0;
    done += ok ? static_cast<size_t>(n) : 0;
  }
  // fsync before rename: after a crash the name points at whole data or at
  // the old file, never at a torn one.
  ok = ok && ::fchmod(fd, 0644) == 0 && ::fsync(fd) == 0;
  const int write_errno = fd < 0 ? open_errno : errno;
  if (fd >= 0 && ::close(fd) != 0) ok = false;
  if (ok && ::rename(temp.c_str(), path_.c_str()) != 0) ok = false;
  if (!ok) {
    if (fd >= 0) ::unlink(temp.c_str());
    warn("cannot write puzzle cache " + path_ + ": " +
         std::strerror(write_errno ? write_errno : errno) + "; carrying on without it");
    return false;
  }
  const int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) ::fsync(dir_fd), ::close(dir_fd);  // makes the rename itself durable
  return true;
}

}  // namespace concur::server
