// The order runs go in. Repeats go round the configurations (rounds), so a
// slow drift of the machine spreads over every configuration; `shuffled`
// also draws each round's order at random (seeded), so no configuration
// always follows the same neighbour. A configuration's baseline runs before
// it in every round, so its row's speedup pairs runs of the same round.
#pragma once

#include <cstdint>
#include <vector>

#include "config/experiment.hpp"

namespace concur::experiment {

using config::RunOrder;

struct Slot {
  size_t run = 0;  // index into the planned runs
  int repeat = 1;  // 1-based
};

// Every (run, repeat) once. `baselines`: experiment/plan.hpp baselines_of
// (-1: none; its own index: it is a baseline). interleaved: rounds in plan
// order; grouped: every repeat of one configuration, then the next;
// shuffled: rounds in a random order drawn from `seed` and the round's
// number. In all three a baseline comes before the configurations compared
// with it (grouped and interleaved keep plan order otherwise).
std::vector<Slot> schedule(RunOrder order, const std::vector<int> &baselines, int repeat,
                           uint64_t seed);

}  // namespace concur::experiment
