#include "server/graph.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <stdexcept>
#include <tuple>
#include <unordered_set>

#include "server/progress.hpp"
#include "server/puzzle_cache.hpp"
#include "server/puzzles.hpp"
#include "server/rng.hpp"

namespace concur::server {
namespace {

bool is_puzzle(PageType type) {
  return type == PageType::cpu || type == PageType::core;
}

[[noreturn]] void reject(const std::string &message) {
  throw std::invalid_argument(message);
}

void validate_sizes(const Settings &s) {
  if (s.pages < 1) reject("pages must be >= 1 (got " + std::to_string(s.pages) + ")");
  if (s.id_length < 1 || s.id_length > 16)
    reject("id_length must be in 1..16 (got " + std::to_string(s.id_length) + ")");
  // 16^id_length fits in 64 bits up to 15; 16^16 dwarfs any int page count.
  if (s.id_length < 16) {
    const uint64_t ids = uint64_t{1} << (4 * s.id_length);
    if (ids < 8 * static_cast<uint64_t>(s.pages))
      reject("id_length " + std::to_string(s.id_length) + " gives " + std::to_string(ids) +
             " ids, too few for " + std::to_string(s.pages) +
             " pages: need 16^id_length >= 8 x pages");
  }
  if (s.extra_edges < 0)
    reject("extra_edges must be >= 0 (got " + std::to_string(s.extra_edges) + ")");
}

void validate(const Settings &s) {
  validate_sizes(s);
  double sum = 0;
  for (size_t t = 0; t < kPageTypeCount; ++t) {
    if (!(s.shares[t] >= 0) || !std::isfinite(s.shares[t]))
      reject(std::string("shares: the share of ") + kPageTypeNames[t] + " must be >= 0");
    if (!(s.delays_ms[t] >= 0) || !std::isfinite(s.delays_ms[t]))
      reject(std::string("delays_ms: the delay of ") + kPageTypeNames[t] + " must be >= 0");
    sum += s.shares[t];
  }
  if (std::fabs(sum - 1.0) > 1e-9) reject("shares must sum to 1 (got " + std::to_string(sum) + ")");
  if (!(s.delay_scale >= 0) || !std::isfinite(s.delay_scale)) reject("delay_scale must be >= 0");
  if (!(s.failure_rate >= 0 && s.failure_rate <= 1)) reject("failure_rate must be in [0, 1]");
  if (!(s.idle_timeout_s >= 0) || !std::isfinite(s.idle_timeout_s))
    reject("idle_timeout_s must be >= 0");
}

// Exact counts by largest remainder; ties go to the lower type index.
std::array<int, kPageTypeCount> exact_counts(const Settings &s) {
  std::array<int, kPageTypeCount> counts{};
  std::array<double, kPageTypeCount> rest{};
  int assigned = 0;
  for (size_t t = 0; t < kPageTypeCount; ++t) {
    const double quota = s.shares[t] * s.pages;
    // The epsilon keeps 0.6 x 1000 = 599.9999... from losing a page to rounding.
    counts[t] = static_cast<int>(std::floor(quota + 1e-9));
    rest[t] = quota - counts[t];
    assigned += counts[t];
  }
  // The epsilon can overshoot by a page or so: take back from the quota that
  // was rounded up the most (the most negative remainder).
  for (; assigned > s.pages; --assigned) {
    size_t worst = kPageTypeCount;
    for (size_t t = 0; t < kPageTypeCount; ++t)
      if (counts[t] > 0 && (worst == kPageTypeCount || rest[t] < rest[worst])) worst = t;
    --counts[worst];
    rest[worst] += 1;
  }
  for (; assigned < s.pages; ++assigned) {
    size_t best = 0;
    for (size_t t = 1; t < kPageTypeCount; ++t)
      if (rest[t] > rest[best]) best = t;
    ++counts[best];
    rest[best] = -1;
  }
  return counts;
}

// Each new page i hangs under a random page already in the tree; in the course
// profile a puzzle page leaves the candidates once it has its one child.
void grow_tree(std::vector<Page> &pages, Profile profile, Rng &rng) {
  std::vector<uint32_t> parents{0};
  for (uint32_t i = 1; i < pages.size(); ++i) {
    const auto k = static_cast<size_t>(rng.below(parents.size()));
    const uint32_t parent = parents[k];
    pages[parent].links.push_back(i);
    if (profile == Profile::course && is_puzzle(pages[parent].type)) {
      parents[k] = parents.back();
      parents.pop_back();
    }
    parents.push_back(i);
  }
}

// A page whose id some puzzle link decides: the target of a puzzle page's link.
std::vector<char> puzzle_targets(const std::vector<Page> &pages) {
  std::vector<char> targeted(pages.size(), 0);
  for (const Page &p : pages)
    if (is_puzzle(p.type))
      for (uint32_t to : p.links) targeted[to] = 1;
  return targeted;
}

// Course: only non-puzzle pages get extra links (a puzzle page has one link).
// Original: any page does, but a puzzle page's link must not go to a page that
// a puzzle already points at (its id cannot be the answer of two chains); such
// a draw is wasted, like a duplicate.
void add_extra_edges(std::vector<Page> &pages, int wanted, Profile profile, Rng &rng) {
  const bool original = profile == Profile::original;
  std::vector<uint32_t> sources;
  std::unordered_set<uint64_t> edges;
  for (uint32_t i = 0; i < pages.size(); ++i) {
    if (original || !is_puzzle(pages[i].type)) sources.push_back(i);
    for (uint32_t to : pages[i].links) edges.insert((uint64_t{i} << 32) | to);
  }
  if (sources.empty() || pages.size() < 2) return;
  std::vector<char> targeted = original ? puzzle_targets(pages) : std::vector<char>();
  // Capped so that settings asking for more edges than fit still terminate.
  const uint64_t max_attempts = 20 * static_cast<uint64_t>(wanted);
  int added = 0;
  for (uint64_t attempt = 0; attempt < max_attempts && added < wanted; ++attempt) {
    const uint32_t from = sources[rng.below(sources.size())];
    const auto to = static_cast<uint32_t>(rng.below(pages.size()));
    const bool puzzle_link = original && is_puzzle(pages[from].type);
    if (from == to || (puzzle_link && targeted[to])) continue;
    if (!edges.insert((uint64_t{from} << 32) | to).second) continue;
    pages[from].links.push_back(to);
    if (puzzle_link) targeted[to] = 1;
    ++added;
  }
}

// Gives every childless puzzle page one link, to a page no other puzzle points
// at. `free` holds the pages nobody's puzzle points at yet. In the original
// profile puzzle links can use up every page; a childless puzzle page that
// then finds none keeps no links (and no puzzle) — the course profile cannot
// get there, since its puzzle pages point at one page each.
void link_leaf_puzzles(std::vector<Page> &pages, Rng &rng) {
  const size_t n = pages.size();
  const std::vector<char> targeted = puzzle_targets(pages);
  std::vector<uint32_t> free;
  std::vector<size_t> pos(n, SIZE_MAX);
  for (uint32_t i = 0; i < n; ++i)
    if (!targeted[i]) pos[i] = free.size(), free.push_back(i);
  auto take = [&](size_t k) {
    const uint32_t page = free[k];
    free[k] = free.back();
    pos[free[k]] = k;
    free.pop_back();
    pos[page] = SIZE_MAX;
    return page;
  };
  std::vector<uint32_t> done;
  for (uint32_t p = 0; p < n; ++p) {
    if (!is_puzzle(pages[p].type) || !pages[p].links.empty()) continue;
    const bool own = pos[p] != SIZE_MAX;
    const size_t available = free.size() - (own ? 1 : 0);
    if (available == 0 && !own) continue;  // original profile only, see above
    if (available == 0) {
      // Only p itself is left: p takes an earlier leaf's target, which takes p.
      // An earlier leaf exists whenever pages >= 2 (page 0 is then targeted).
      if (done.empty()) throw std::logic_error("graph: no target left for a puzzle page");
      Page &earlier = pages[done.front()];
      pages[p].links.push_back(earlier.links[0]);
      earlier.links[0] = take(pos[p]);
    } else {
      size_t k = rng.below(available);
      if (own && k >= pos[p]) ++k;  // skip p itself without a redraw
      pages[p].links.push_back(take(k));
    }
    done.push_back(p);
  }
}

// Puzzle targets get their ids from their puzzles; a drawn id or seed that is
// already taken is redrawn from the next attempt's stream, in page order, so
// the outcome does not depend on the thread count. `make` makes or loads them.
using Maker = std::function<std::vector<Puzzle>(const std::vector<PuzzleJob> &)>;

// Seeds per puzzle: 1 for cpu, id_length for core.
size_t seeds_per_puzzle(const Settings &s, PageType type) {
  return type == PageType::cpu ? 1 : static_cast<size_t>(s.id_length);
}

// One job per link of a puzzle page, in page and link order (a course puzzle
// page has one link: one job, as ever). A page's seeds are its puzzles' seeds
// in link order.
void make_puzzle_ids(std::vector<Page> &pages, const Settings &s,
                     std::unordered_set<std::string> &taken, const Maker &make) {
  std::vector<PuzzleJob> pending;
  for (uint32_t i = 0; i < pages.size(); ++i) {
    if (!is_puzzle(pages[i].type)) continue;
    pages[i].seeds.assign(pages[i].links.size() * seeds_per_puzzle(s, pages[i].type), "");
    for (uint32_t j = 0; j < pages[i].links.size(); ++j)
      pending.push_back({i, pages[i].type, 0, j});
  }
  std::unordered_set<std::string> used_seeds;
  while (!pending.empty()) {
    const std::vector<Puzzle> made = make(pending);
    std::vector<PuzzleJob> again;
    for (size_t k = 0; k < pending.size(); ++k) {
      const Puzzle &puzzle = made[k];
      bool fresh = !taken.count(puzzle.target_id);
      std::unordered_set<std::string> mine;
      for (const auto &seed : puzzle.seeds)
        fresh = fresh && !used_seeds.count(seed) && mine.insert(seed).second;
      const PuzzleJob &job = pending[k];
      Page &page = pages[job.page];
      if (!fresh) {
        if (job.attempt >= 10'000) throw std::runtime_error("graph: cannot place a puzzle");
        again.push_back({job.page, page.type, job.attempt + 1, job.link});
        continue;
      }
      const size_t per = seeds_per_puzzle(s, page.type);
      // Unreachable from make_puzzle or a cache file that passed its checks;
      // a guard for page.seeds, refused like any bad cache record.
      if (puzzle.seeds.size() != per) throw CacheError("wrong number of seeds");
      taken.insert(puzzle.target_id);
      used_seeds.insert(puzzle.seeds.begin(), puzzle.seeds.end());
      std::copy(puzzle.seeds.begin(), puzzle.seeds.end(), page.seeds.begin() + job.link * per);
      pages[page.links.at(job.link)].id = puzzle.target_id;
    }
    pending = std::move(again);
  }
}

uint64_t chain_steps(const std::vector<Page> &pages, const Settings &s) {
  uint64_t steps = 0;
  for (const Page &p : pages)
    if (p.type == PageType::cpu)
      steps += s.cpu_iterations * p.links.size();
    else if (p.type == PageType::core)
      steps += s.core_iterations * static_cast<uint64_t>(s.id_length) * p.links.size();
  return steps;
}

// Serves the puzzles of a loaded cache file. The build asks for exactly the
// jobs it asked for when the file was written, so a job the file lacks, or a
// record nobody asks for, means the file does not describe this graph.
class CachedMaker {
 public:
  explicit CachedMaker(const std::vector<CachedPuzzle> &puzzles) {
    for (const auto &c : puzzles) by_job_.emplace(key(c.job), &c);
  }
  std::vector<Puzzle> operator()(const std::vector<PuzzleJob> &jobs) {
    std::vector<Puzzle> out;
    for (const PuzzleJob &job : jobs) {
      const auto it = by_job_.find(key(job));
      if (it == by_job_.end() || it->second->job.type != job.type)
        throw CacheError("no puzzle for page " + std::to_string(job.page));
      out.push_back(it->second->puzzle);
      ++used_;
    }
    return out;
  }
  size_t unused() const { return by_job_.size() - used_; }

 private:
  using Key = std::tuple<uint32_t, uint32_t, uint32_t>;
  static Key key(const PuzzleJob &job) { return {job.page, job.link, job.attempt}; }
  std::map<Key, const CachedPuzzle *> by_job_;
  size_t used_ = 0;
};

// Tries the cache file; on a refusal the pages and ids are put back as they
// were, so the build goes on as if there had been no file.
bool load_puzzles(PuzzleCache &cache, std::vector<Page> &pages, const Settings &s,
                  std::unordered_set<std::string> &taken) {
  const auto loaded = cache.load();
  if (!loaded) return false;
  const auto pages_before = pages;
  const auto taken_before = taken;
  try {
    CachedMaker maker(*loaded);
    make_puzzle_ids(pages, s, taken, std::ref(maker));
    if (maker.unused() > 0) throw CacheError(std::to_string(maker.unused()) + " puzzles unused");
    return true;
  } catch (const CacheError &e) {
    cache.report_corrupt(e.what());
  }
  pages = pages_before;
  taken = taken_before;
  return false;
}

// The start line's note: what the puzzles are and where they will be kept.
std::string cost_note(const Settings &s, const PuzzleCache *cache) {
  return " (cpu_iterations " + std::to_string(s.cpu_iterations) + ", core_iterations " +
         std::to_string(s.core_iterations) + ")" +
         (cache != nullptr ? ", then kept in " + cache->path() : std::string());
}

std::vector<CachedPuzzle> make_all_puzzles(std::vector<Page> &pages, const Settings &s,
                                           std::unordered_set<std::string> &taken,
                                           const BuildOptions &o, std::ostream *log, uint64_t steps,
                                           const std::string &note) {
  size_t count = 0;
  for (const Page &p : pages) count += is_puzzle(p.type) ? p.links.size() : 0;  // one per link
  const bool tty = o.tty ? *o.tty : (log == &std::cerr && ::isatty(STDERR_FILENO) == 1);
  Progress progress(log, tty, count, make_seconds(steps), note, o.startup);
  std::vector<CachedPuzzle> made;
  const Maker make = [&](const std::vector<PuzzleJob> &jobs) {
    if (!made.empty()) progress.add_total(jobs.size());  // a round of redraws
    auto puzzles = o.maker ? o.maker(jobs) : make_puzzles(s, jobs, &progress);
    for (size_t k = 0; k < jobs.size(); ++k) made.push_back({jobs[k], puzzles[k]});
    return puzzles;
  };
  make_puzzle_ids(pages, s, taken, make);
  progress.finish();
  return made;
}

BuildStats place_puzzles(std::vector<Page> &pages, const Settings &s,
                         std::unordered_set<std::string> &taken, const BuildOptions &o) {
  BuildStats stats;
  stats.chain_steps = chain_steps(pages, s);
  std::ostream *log = o.log != nullptr ? o.log : &std::cerr;
  const bool wanted = o.cache == CacheMode::always ||
                      (o.cache == CacheMode::automatic && stats.chain_steps >= kCacheMinSteps);
  const std::string dir = !wanted ? "" : o.cache_dir.empty() ? default_cache_dir() : o.cache_dir;
  if (wanted && dir.empty())
    *log << "concur: no folder for the puzzle cache (set CONCUR_CACHE_DIR or HOME)\n";
  std::optional<PuzzleCache> cache;
  if (!dir.empty()) cache.emplace(dir, s, log), stats.cache_path = cache->path();
  if (cache && load_puzzles(*cache, pages, s, taken)) {
    stats.cache = CacheOutcome::hit;
    return stats;
  }
  const auto made = make_all_puzzles(pages, s, taken, o, log, stats.chain_steps,
                                     cost_note(s, cache ? &*cache : nullptr));
  stats.puzzles_made = made.size();
  if (cache) {
    stats.cache = cache->corrupt() ? CacheOutcome::corrupt : CacheOutcome::miss;
    stats.cache_saved = cache->save(made);
  }
  return stats;
}

}  // namespace

const char *cache_outcome_name(CacheOutcome outcome) {
  switch (outcome) {
    case CacheOutcome::hit:
      return "hit";
    case CacheOutcome::miss:
      return "miss";
    case CacheOutcome::corrupt:
      return "corrupt";
    default:
      return "off";
  }
}

void Graph::check(const Settings &settings) {
  validate(settings);
  const auto counts = exact_counts(settings);
  if (settings.pages == 1 && counts[3] + counts[4] > 0)
    reject("pages: a single page cannot be a cpu or core page, which needs a page to link to");
}

PuzzleCost puzzle_cost(const Settings &settings) {
  const auto counts = exact_counts(settings);
  const auto cpu = static_cast<uint64_t>(counts[static_cast<size_t>(PageType::cpu)]);
  const auto core = static_cast<uint64_t>(counts[static_cast<size_t>(PageType::core)]);
  // Every page but the first has a tree link to it, plus the extra edges.
  const double links_per_page =
      settings.profile == Profile::course
          ? 1.0
          : static_cast<double>(settings.pages - 1 + settings.extra_edges) / settings.pages;
  PuzzleCost cost;
  cost.puzzles =
      static_cast<size_t>(std::llround(static_cast<double>(cpu + core) * links_per_page));
  const double steps = (static_cast<double>(cpu * settings.cpu_iterations) +
                        static_cast<double>(core * settings.core_iterations) * settings.id_length) *
                       links_per_page;
  cost.chain_steps = static_cast<uint64_t>(steps);
  cost.seconds = make_seconds(cost.chain_steps);
  return cost;
}

Graph Graph::build(const Settings &settings, const BuildOptions &options) {
  const auto started = std::chrono::steady_clock::now();
  check(settings);
  const auto counts = exact_counts(settings);
  Graph graph;
  graph.settings_ = settings;
  auto &pages = graph.pages_;
  Rng rng(settings.seed);
  std::vector<PageType> types;
  for (size_t t = 0; t < kPageTypeCount; ++t) types.insert(types.end(), counts[t], PageType(t));
  rng.shuffle(types);
  if (settings.profile == Profile::original) {
    // The original's first page is always regular: the first regular page of
    // the shuffle trades places with it (no draw, so the rest stays as shuffled).
    const auto regular = std::find(types.begin(), types.end(), PageType::regular);
    if (regular == types.end())
      reject(
          "shares: profile original starts at a regular page, so the share of regular "
          "pages must give at least one page");
    std::iter_swap(types.begin(), regular);
  }
  pages.resize(types.size());
  for (size_t i = 0; i < pages.size(); ++i) pages[i].type = types[i];
  grow_tree(pages, settings.profile, rng);
  add_extra_edges(pages, settings.extra_edges, settings.profile, rng);
  link_leaf_puzzles(pages, rng);

  // Plain ids first, so that puzzle targets are checked against all of them.
  const std::vector<char> targeted = puzzle_targets(pages);
  std::unordered_set<std::string> taken;
  for (size_t i = 0; i < pages.size(); ++i) {
    if (targeted[i]) continue;
    do pages[i].id = rng.hex(settings.id_length);
    while (!taken.insert(pages[i].id).second);
  }
  graph.stats_ = place_puzzles(pages, settings, taken, options);
  for (uint32_t i = 0; i < pages.size(); ++i) graph.index_.emplace(pages[i].id, i);
  graph.stats_.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return graph;
}

std::optional<uint32_t> Graph::find(std::string_view id) const {
  const auto it = index_.find(std::string(id));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::array<int, kPageTypeCount> Graph::type_counts() const {
  std::array<int, kPageTypeCount> counts{};
  for (const Page &p : pages_) ++counts[static_cast<size_t>(p.type)];
  return counts;
}

bool failure_request_fails(const Settings &settings, std::string_view id, uint64_t k) {
  uint64_t h = mix64(settings.seed ^ 0x6661696c75726521ULL);  // "failure!"
  h = mix64(h ^ fnv1a(id));
  h = mix64(h ^ k);
  const double u = static_cast<double>(h >> 11) * 0x1.0p-53;
  return u < settings.failure_rate;
}

const char *page_type_name(PageType type) {
  return kPageTypeNames.at(static_cast<size_t>(type));
}

std::optional<PageType> parse_page_type(std::string_view name) {
  for (size_t t = 0; t < kPageTypeCount; ++t)
    if (name == kPageTypeNames[t]) return PageType(t);
  return std::nullopt;
}

}  // namespace concur::server
