#include "experiment/schedule.hpp"

#include <random>

namespace concur::experiment {
namespace {

// Whether run i may go now: its baseline (if another run) has gone.
bool ready(size_t i, const std::vector<int> &baselines, const std::vector<bool> &placed) {
  const int base = baselines[i];
  return base < 0 || static_cast<size_t>(base) == i || placed[static_cast<size_t>(base)];
}

// One round: at each step, among the runs whose baseline has gone, the first
// in plan order (pick = 0) or one drawn at random.
std::vector<size_t> round_order(const std::vector<int> &baselines, std::mt19937_64 *rng) {
  const size_t n = baselines.size();
  std::vector<bool> placed(n, false);
  std::vector<size_t> order;
  while (order.size() < n) {
    std::vector<size_t> candidates;
    for (size_t i = 0; i < n; ++i)
      if (!placed[i] && ready(i, baselines, placed)) candidates.push_back(i);
    // A baseline is its own baseline (the analysis never chains them), so
    // some run is always ready; this guards against a malformed list.
    if (candidates.empty())
      for (size_t i = 0; i < n; ++i)
        if (!placed[i]) candidates.push_back(i);
    // mt19937_64's output is fixed by the standard: the same seed gives the
    // same order with any library (uniform_int_distribution's is not).
    const size_t pick = rng ? static_cast<size_t>((*rng)() % candidates.size()) : 0;
    placed[candidates[pick]] = true;
    order.push_back(candidates[pick]);
  }
  return order;
}

}  // namespace

std::vector<Slot> schedule(RunOrder order, const std::vector<int> &baselines, int repeat,
                           uint64_t seed) {
  std::vector<Slot> slots;
  if (order == RunOrder::grouped) {
    for (size_t i : round_order(baselines, nullptr))
      for (int rep = 1; rep <= repeat; ++rep) slots.push_back({i, rep});
    return slots;
  }
  for (int rep = 1; rep <= repeat; ++rep) {
    std::seed_seq sequence{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                           static_cast<uint32_t>(rep)};
    std::mt19937_64 rng(sequence);
    for (size_t i : round_order(baselines, order == RunOrder::shuffled ? &rng : nullptr))
      slots.push_back({i, rep});
  }
  return slots;
}

}  // namespace concur::experiment
