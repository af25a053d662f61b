#include "server/puzzles.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "hash/md5_chain.hpp"
#include "server/rng.hpp"

namespace concur::server {
namespace {

// Each (page, attempt) owns an independent stream, so a puzzle does not depend
// on which puzzles were made before it or on which thread made it.
Rng puzzle_stream(uint64_t seed, const PuzzleJob &job) {
  const uint64_t key = (static_cast<uint64_t>(job.page) << 32) | job.attempt;
  return Rng(mix64(seed ^ 0x70757a7a6c652e31ULL) ^ mix64(key));
}

constexpr int kSeedLength = 16;

}  // namespace

Puzzle make_puzzle(const Settings &settings, const PuzzleJob &job) {
  Rng rng = puzzle_stream(settings.seed, job);
  Puzzle puzzle;
  const auto length = static_cast<size_t>(settings.id_length);
  if (job.type == PageType::cpu) {
    puzzle.seeds.push_back(rng.hex(kSeedLength));
    const std::string result =
        hash::chain(puzzle.seeds[0], settings.cpu_iterations, settings.hash_rule);
    puzzle.target_id = result.substr(0, length);
    return puzzle;
  }
  puzzle.target_id.reserve(length);
  for (size_t j = 0; j < length; ++j) {
    puzzle.seeds.push_back(rng.hex(kSeedLength));
    puzzle.target_id +=
        hash::chain(puzzle.seeds[j], settings.core_iterations, settings.hash_rule)[0];
  }
  return puzzle;
}

std::vector<Puzzle> make_puzzles(const Settings &settings, const std::vector<PuzzleJob> &jobs) {
  std::vector<Puzzle> out(jobs.size());
  if (jobs.empty()) return out;
  const size_t threads =
      std::min<size_t>(std::max(1U, std::thread::hardware_concurrency()), jobs.size());
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    try {
      for (size_t i = next++; i < jobs.size(); i = next++) out[i] = make_puzzle(settings, jobs[i]);
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
