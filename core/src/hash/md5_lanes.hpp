// Many md5 chains at once in one thread: independent chains (the seeds of a
// core page, or many cpu pages) advance in lockstep in the lanes of a vector,
// 4 (SSE2), 8 (AVX2) or 16 (AVX-512) at a time, chosen at run time from what
// the CPU has. The results are bit for bit those of chain() (OpenSSL), which
// stays the one-chain path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hash/md5_chain.hpp"

namespace concur::hash {

enum class Lanes { scalar, sse2, avx2, avx512 };

std::string_view lanes_name(Lanes lanes);
std::optional<Lanes> parse_lanes(std::string_view name);
int lane_width(Lanes lanes);  // chains per vector: 1, 4, 8, 16

// Every level this machine runs, scalar first: the CPU's instruction sets
// (checked once, with the OS's support for their registers), capped by the
// environment variable CONCUR_MD5_LANES (scalar|sse2|avx2|avx512) when set.
std::vector<Lanes> available_lanes();
Lanes best_lanes();  // the last of available_lanes()

// What one step costs at a level: a vector step (every lane at once) costs
// about the same whatever it carries; scalar's is one chain's step.
struct LaneCost {
  Lanes lanes;
  double step_ns;
};
// The level that runs `count` chains soonest: ceil(count / width) steps of
// its cost each. Ties go to the narrower level.
Lanes cheapest_lanes(size_t count, const std::vector<LaneCost> &costs);
// Every available level's cost on this machine, timed once per process at
// first use (~0.5 ms, the levels taken in turn). Measured, not assumed: which vector is cheapest
// per step differs between CPUs (AVX-512's step costs less than SSE2's on one Xeon, more on one
// EPYC; docs/benchmarks.md).
const std::vector<LaneCost> &lane_costs();
// The level for `count` chains: one chain is scalar (our one-chain path), more the
// cheapest by lane_costs().
Lanes lanes_for(size_t count);

// chain(seed, iterations, rule) for every seed, in order, several chains at a
// time. Chains of one call share their iteration count (that is what lets
// them share a vector). Asking for a level the CPU lacks throws
// std::invalid_argument.
std::vector<std::string> chains(const std::vector<std::string> &seeds, uint64_t iterations,
                                Rule rule, Lanes lanes);
// The same at lanes_for(seeds.size()).
std::vector<std::string> chains(const std::vector<std::string> &seeds, uint64_t iterations,
                                Rule rule);

}  // namespace concur::hash
