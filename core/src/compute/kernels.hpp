// The built-in compute kernels: the course's classic CPU tasks, in C++. A
// compute experiment's task names one (or a Lua function, script/kernels.hpp)
// and gives its arguments; every strategy runs the same tasks through the
// host table (solve), so only the scheduling differs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace concur::compute {

enum class Kernel { md5_chain, sum_of_squares, prime_factors, factorial_digits };

std::optional<Kernel> parse_kernel(std::string_view name);

// A kernel written in Lua: "lua:FILE#FUNCTION" (script/kernels.hpp runs it).
struct KernelRef {
  std::string file;
  std::string function;
};

// nullopt when `name` does not start with "lua:"; std::invalid_argument when
// it does but is not "lua:FILE#FUNCTION".
std::optional<KernelRef> parse_kernel_ref(const std::string &name);
std::string_view kernel_name(Kernel kernel);
std::vector<std::string_view> kernel_names();  // for messages: "md5_chain, sum_of_squares, ..."

// 1^2 + ... + n^2, one term at a time (the loop is the work), modulo 2^64
// when it overflows (n > ~3.8e6 does): the course's sum(i * i for i in range(n + 1)).
uint64_t sum_of_squares(uint64_t n);
// The prime factors of n, smallest first, with multiplicity (trial division).
std::vector<uint64_t> prime_factors(uint64_t n);
// The number of decimal digits of n!, by exact multiplication in base 10^9.
uint64_t factorial_digits(uint64_t n);

// Runs a built-in kernel on its arguments as text (md5_chain: seed, iterations;
// the others: n) and returns its result as text ("2,2,3" for factors).
std::string run_kernel(Kernel kernel, const std::vector<std::string> &args);

}  // namespace concur::compute
