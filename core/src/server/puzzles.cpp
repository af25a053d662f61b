#include "server/puzzles.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "hash/md5_chain.hpp"
#include "server/progress.hpp"
#include "server/rng.hpp"

namespace concur::server {
namespace {

// Each (page, attempt) owns an independent stream, so a puzzle does not depend
// on which puzzles were made before it or on which thread made it. The
// original profile's streams also take the link and a salt of their own; the
// course profile's are what they always were, so its graphs and cache files
// stay the same.
Rng puzzle_stream(const Settings &settings, const PuzzleJob &job) {
  const uint64_t key = (static_cast<uint64_t>(job.page) << 32) | job.attempt;
  const uint64_t base = mix64(settings.seed ^ 0x70757a7a6c652e31ULL);
  if (settings.profile == Profile::course) return Rng(base ^ mix64(key));
  uint64_t h = mix64(base ^ 0x6f726967696e616cULL);  // "original"
  h = mix64(h ^ key);
  return Rng(mix64(h ^ job.link));
}

constexpr int kSeedLength = 16;

}  // namespace

std::vector<std::string> puzzle_seeds(const Settings &settings, const PuzzleJob &job) {
  Rng rng = puzzle_stream(settings, job);
  const size_t count = job.type == PageType::cpu ? 1 : static_cast<size_t>(settings.id_length);
  std::vector<std::string> seeds;
  for (size_t j = 0; j < count; ++j) seeds.push_back(rng.hex(kSeedLength));
  return seeds;
}

std::string target_from_results(const Settings &settings, PageType type,
                                const std::vector<std::string> &results) {
  const auto length = static_cast<size_t>(settings.id_length);
  if (type == PageType::cpu) return results.at(0).substr(0, length);
  std::string target;
  for (const auto &result : results) target += result.at(0);
  return target;
}

Puzzle make_puzzle(const Settings &settings, const PuzzleJob &job) {
  Puzzle puzzle;
  puzzle.seeds = puzzle_seeds(settings, job);
  const uint64_t iterations =
      job.type == PageType::cpu ? settings.cpu_iterations : settings.core_iterations;
  for (const auto &seed : puzzle.seeds)
    puzzle.results.push_back(hash::chain(seed, iterations, settings.hash_rule));
  puzzle.target_id = target_from_results(settings, job.type, puzzle.results);
  return puzzle;
}

double make_seconds(uint64_t chain_steps) {
  constexpr double kStepSeconds = 110e-9;
  const double threads = std::max(1U, std::thread::hardware_concurrency());
  return static_cast<double>(chain_steps) * kStepSeconds / threads;
}

std::vector<Puzzle> make_puzzles(const Settings &settings, const std::vector<PuzzleJob> &jobs,
                                 Progress *progress) {
  std::vector<Puzzle> out(jobs.size());
  if (jobs.empty()) return out;
  const size_t threads =
      std::min<size_t>(std::max(1U, std::thread::hardware_concurrency()), jobs.size());
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    try {
      for (size_t i = next++; i < jobs.size(); i = next++) {
        out[i] = make_puzzle(settings, jobs[i]);
        if (progress != nullptr) progress->tick();
      }
    } catch (...) {
      const std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next = jobs.size();  // the others stop after their current puzzle
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto &thread : pool) thread.join();
  if (error) std::rethrow_exception(error);
  return out;
}

}  // namespace concur::server
