// The multi-lane md5 chain step for avx512: 16 chains per vector.
// Compiled with this instruction set's flags (CMakeLists.txt) and called only
// when the CPU has it (md5_lanes.cpp).
#include <cstddef>
#include <cstdint>

namespace concur::hash::lanes_avx512 {

constexpr int kWidth = 16;

#include "hash/md5_lanes_kernel.inc"

}  // namespace concur::hash::lanes_avx512
