#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/graph.hpp"
#include "server/progress.hpp"
#include "server/puzzle_cache.hpp"
#include "server/rng.hpp"
#include "server/server.hpp"

using namespace concur::server;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir() {
    std::string name = (fs::temp_directory_path() / "concur-cache-test-XXXXXX").string();
    if (::mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = name;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  fs::path path;
};

Settings cached_settings() {
  Settings s;
  s.seed = 5;
  s.pages = 150;
  s.extra_edges = 300;
  s.cpu_iterations = 60;
  s.core_iterations = 30;
  return s;
}

BuildOptions options(const fs::path &dir, std::ostream &log) {
  BuildOptions o;
  o.cache = CacheMode::always;
  o.cache_dir = dir.string();
  o.log = &log;
  o.tty = false;
  return o;
}

void check_same(const Graph &a, const Graph &b) {
  REQUIRE(a.pages().size() == b.pages().size());
  for (uint32_t i = 0; i < a.pages().size(); ++i) {
    CHECK(a.page(i).id == b.page(i).id);
    CHECK(a.page(i).type == b.page(i).type);
    CHECK(a.page(i).links == b.page(i).links);
    CHECK(a.page(i).seeds == b.page(i).seeds);
  }
}

std::string read_file(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_file(const fs::path &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

struct Env {  // sets a variable for one scope
  Env(const char *name, const char *value) : name_(name) {
    if (const char *old = std::getenv(name)) old_ = old;
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~Env() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }
  const char *name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("a second build loads the puzzles from the cache, identically", "[server][cache]") {
  TempDir dir;
  std::ostringstream log;
  const Settings s = cached_settings();
  const Graph made = Graph::build(s, options(dir.path, log));
  CHECK(made.build_stats().cache == CacheOutcome::miss);
  CHECK(made.build_stats().cache_saved);
  CHECK(made.build_stats().puzzles_made >= 30);  // 15 cpu + 15 core, plus any redraws
  CHECK(fs::exists(made.build_stats().cache_path));
  CHECK(fs::path(made.build_stats().cache_path).parent_path() == dir.path);

  const Graph loaded = Graph::build(s, options(dir.path, log));
  CHECK(loaded.build_stats().cache == CacheOutcome::hit);
  CHECK(loaded.build_stats().puzzles_made == 0);
  check_same(made, loaded);
  BuildOptions never;
  never.cache = CacheMode::never;
  check_same(made, Graph::build(s, never));
  CHECK(log.str().empty());
  // Only the temporary-then-rename file is left: no stray temporaries.
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("a damaged or foreign cache file is reported and rebuilt", "[server][cache]") {
  TempDir dir;
  const Settings s = cached_settings();
  std::ostringstream quiet;
  const Graph reference = Graph::build(s, options(dir.path, quiet));
  const fs::path path = reference.build_stats().cache_path;
  const std::string good = read_file(path);
  const size_t payload = good.find("\n", good.find("payload ")) + 1;
  auto reencoded = [&](auto change) {  // a valid checksum over wrong records
    auto puzzles = decode_cache(good, s);
    change(puzzles);
    return encode_cache(s, puzzles);
  };
  std::string flipped = good, wrong_key = good;
  flipped[payload + 40] ^= 0x01;
  wrong_key.replace(good.find("seed=5"), 6, "seed=6");
  const std::string foreign = encode_cache(s, {});
  struct Case {
    const char *name;
    std::string bytes;
    std::string reason;
  } cases[] = {
      {"flipped byte", flipped, "checksum mismatch"},
      {"truncated", good.substr(0, good.size() - 7), "truncated"},
      {"header only", good.substr(0, payload / 2), "truncated"},
      {"wrong key", wrong_key, "key mismatch"},
      {"another format", "concur puzzle cache\nformat 0\n", "format version mismatch"},
      {"not a cache", "hello\n", "not a puzzle cache"},
      {"empty", "", "truncated"},
      {"target not from its results", reencoded([](auto &p) { p[0].puzzle.target_id[0] ^= 1; }),
       "does not match"},
      {"seeds not its own", reencoded([](auto &p) { std::swap(p[0].job.page, p[1].job.page); }),
       "not its own"},
      {"a puzzle missing", reencoded([](auto &p) { p.pop_back(); }), "no puzzle for page"},
      {"an extra puzzle", reencoded([&](auto &p) {
         const PuzzleJob job{0, PageType::cpu, 77};
         p.push_back({job, make_puzzle(s, job)});
       }),
       "1 puzzles unused"},
      {"no puzzles", foreign, "no puzzle for page"},
  };
  for (const auto &c : cases) {
    SECTION(c.name) {
      write_file(path, c.bytes);
      std::ostringstream log;
      const Graph rebuilt = Graph::build(s, options(dir.path, log));
      CHECK(rebuilt.build_stats().cache == CacheOutcome::corrupt);
      CHECK(rebuilt.build_stats().puzzles_made > 0);
      check_same(reference, rebuilt);
      CHECK_THAT(log.str(),
                 Catch::StartsWith("concur: puzzle cache " + path.string() + " is corrupt (") &&
                     Catch::Contains(c.reason) && Catch::EndsWith("); rebuilding\n"));
      const std::string text = log.str();
      CHECK(std::count(text.begin(), text.end(), '\n') == 1);
      std::ostringstream again;
      CHECK(Graph::build(s, options(dir.path, again)).build_stats().cache == CacheOutcome::hit);
      CHECK(again.str().empty());
    }
  }
}

TEST_CASE("the cache key holds exactly the inputs that change puzzles", "[server][cache]") {
  const Settings base = cached_settings();
  auto key_after = [&](auto change) {
    Settings s = base;
    change(s);
    return cache_key(s);
  };
  const std::string key = cache_key(base);
  CHECK(key_after([](Settings &s) { s.seed = 6; }) != key);
  CHECK(key_after([](Settings &s) { s.pages = 151; }) != key);
  CHECK(key_after([](Settings &s) { s.id_length = 5; }) != key);
  CHECK(key_after([](Settings &s) { s.extra_edges = 301; }) != key);
  CHECK(key_after([](Settings &s) { s.shares = {0.5, 0.2, 0.1, 0.1, 0.1}; }) != key);
  CHECK(key_after([](Settings &s) { s.hash_rule = concur::hash::Rule::plain; }) != key);
  CHECK(key_after([](Settings &s) { s.cpu_iterations = 61; }) != key);
  CHECK(key_after([](Settings &s) { s.core_iterations = 31; }) != key);
  CHECK(key_after([](Settings &s) {
          s.delays_ms[0] = 1, s.delay_scale = 3, s.failure_rate = 0.1, s.host = "0.0.0.0";
          s.port = 80, s.link_format = LinkFormat::url, s.max_connections = 3;
          s.idle_timeout_s = 1;
        }) == key);
  CHECK(cache_file_name(base).size() == std::string("puzzles-0123456789abcdef.cache").size());
}

TEST_CASE("the cache folder comes from the environment", "[server][cache]") {
  {
    const Env a("CONCUR_CACHE_DIR", "/tmp/a"), b("XDG_CACHE_HOME", "/tmp/x"), c("HOME", "/h");
    CHECK(default_cache_dir() == "/tmp/a");
  }
  {
    const Env a("CONCUR_CACHE_DIR", nullptr), b("XDG_CACHE_HOME", "/tmp/x"), c("HOME", "/h");
    CHECK(default_cache_dir() == "/tmp/x/concur");
  }
  {
    const Env a("CONCUR_CACHE_DIR", nullptr), b("XDG_CACHE_HOME", "rel"), c("HOME", "/h");
    CHECK(default_cache_dir() == "/h/.cache/concur");
  }
  TempDir dir;
  const Env a("CONCUR_CACHE_DIR", dir.path.c_str());
  std::ostringstream log;
  BuildOptions o;
  o.cache = CacheMode::always;
  o.log = &log;
  const Graph g = Graph::build(cached_settings(), o);
  CHECK(fs::path(g.build_stats().cache_path).parent_path() == dir.path);
  CHECK(fs::exists(g.build_stats().cache_path));
}

TEST_CASE("cheap graphs skip the cache; an unusable folder only warns", "[server][cache]") {
  TempDir dir;
  std::ostringstream log;
  BuildOptions automatic = options(dir.path, log);
  automatic.cache = CacheMode::automatic;
  CHECK(Graph::build(cached_settings(), automatic).build_stats().cache == CacheOutcome::off);
  CHECK(fs::is_empty(dir.path));

  write_file(dir.path / "file", "x");  // a folder that cannot exist: works as root too
  const Graph g = Graph::build(cached_settings(), options(dir.path / "file" / "sub", log));
  CHECK(g.build_stats().cache == CacheOutcome::miss);
  CHECK_FALSE(g.build_stats().cache_saved);
  CHECK_THAT(log.str(), Catch::StartsWith("concur: cannot write puzzle cache") &&
                            Catch::EndsWith("carrying on without it\n"));
  const std::string text = log.str();
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);
}

TEST_CASE("progress: the cost of a long make first, in place on a terminal, two lines in a log",
          "[server][cache]") {
  std::ostringstream tty;
  Progress shown(&tty, true, 3, 10.0, " (note)");
  // The cost in a line of its own before the line redrawn in place.
  CHECK(tty.str() ==
        "concur: making 3 puzzles, about 10 s (note)\n\rconcur: making puzzles 0/3 (0%)");
  shown.tick(), shown.tick(), shown.tick();
  shown.finish();
  CHECK_THAT(tty.str(), Catch::Contains("\rconcur: made 3 puzzles in ") && Catch::EndsWith("\n"));

  std::ostringstream log;
  Progress logged(&log, false, 200, 540);
  CHECK(log.str() == "concur: making 200 puzzles, about 9 min\n");
  logged.tick();
  CHECK(log.str() == "concur: making 200 puzzles, about 9 min\n");  // no updates in a log
  logged.finish();
  CHECK_THAT(log.str(), Catch::Contains("\nconcur: made 1 puzzles in ") && Catch::EndsWith("\n"));

  std::ostringstream short_tty;  // a second or so: the line in place only
  Progress brief(&short_tty, true, 3, 1.0);
  CHECK(short_tty.str() == "\rconcur: making puzzles 0/3 (0%)");

  std::ostringstream quick;
  Progress silent(&quick, false, 3, 0.01);
  silent.tick();
  CHECK(quick.str().find("making") == std::string::npos);

  CHECK(Progress::duration_text(0.00248364) == "2.5 ms");
  CHECK(Progress::duration_text(0.035) == "35 ms");
  CHECK(Progress::duration_text(0.5) == "0.50 s");
  CHECK(Progress::duration_text(35) == "35 s");
  CHECK(Progress::duration_text(240) == "4 min");
  CHECK(Progress::duration_text(7500) == "2 h 5 min");
}

// Run by hand: `unit_server "[bench]"`. The full-difficulty puzzles cost ~1000
// CPU-seconds, so the cache file is written from stand-in chain results under
// the real key: the load path and its checks are the real ones.
TEST_CASE("bench: cached start of the default graph at full difficulty", "[.][bench]") {
  TempDir dir;
  std::ostringstream log;
  const Settings s;  // 1000 pages, 50M / 12.5M iterations
  BuildOptions o = options(dir.path, log);
  o.maker = [&](const std::vector<PuzzleJob> &jobs) {
    std::vector<Puzzle> out;
    for (const PuzzleJob &job : jobs) {
      Puzzle p;
      p.seeds = puzzle_seeds(s, job);
      concur::server::Rng rng(job.page * 1000003ULL + job.attempt);
      for (size_t j = 0; j < p.seeds.size(); ++j) p.results.push_back(rng.hex(16) + rng.hex(16));
      p.target_id = target_from_results(s, job.type, p.results);
      out.push_back(p);
    }
    return out;
  };
  const Graph made = Graph::build(s, o);
  REQUIRE(made.build_stats().cache == CacheOutcome::miss);
  const auto started = std::chrono::steady_clock::now();
  auto graph = std::make_shared<const Graph>(Graph::build(s, options(dir.path, log)));
  const auto built = std::chrono::steady_clock::now();
  REQUIRE(graph->build_stats().cache == CacheOutcome::hit);
  Server server(graph);
  server.start();
  const auto served = std::chrono::steady_clock::now();
  using ms = std::chrono::duration<double, std::milli>;
  WARN("cache file " << fs::file_size(graph->build_stats().cache_path)
                     << " bytes; build from cache " << ms(built - started).count()
                     << " ms; server up " << ms(served - built).count() << " ms later");
  check_same(made, *graph);
}
