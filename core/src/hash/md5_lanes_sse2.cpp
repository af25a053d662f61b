// The multi-lane md5 chain step for sse2: 4 chains per vector.
// Compiled with this instruction set's flags (CMakeLists.txt) and called only
// when the CPU has it (md5_lanes.cpp).
#include <cstddef>
#include <cstdint>

namespace concur::hash::lanes_sse2 {

constexpr int kWidth = 4;

#include "hash/md5_lanes_kernel.inc"

}  // namespace concur::hash::lanes_sse2
