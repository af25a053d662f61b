#include "compute/kernels.hpp"

#include <stdexcept>

#include "hash/md5_chain.hpp"

namespace concur::compute {
namespace {

constexpr Kernel kKernels[] = {Kernel::md5_chain, Kernel::sum_of_squares, Kernel::prime_factors,
                               Kernel::factorial_digits};

uint64_t to_u64(const std::string &text) {
  size_t used = 0;
  const unsigned long long v = std::stoull(text, &used);
  if (used != text.size()) throw std::invalid_argument("not an integer: " + text);
  return v;
}

}  // namespace

std::optional<Kernel> parse_kernel(std::string_view name) {
  for (Kernel k : kKernels)
    if (kernel_name(k) == name) return k;
  return std::nullopt;
}

std::string_view kernel_name(Kernel kernel) {
  switch (kernel) {
    case Kernel::md5_chain:
      return "md5_chain";
    case Kernel::sum_of_squares:
      return "sum_of_squares";
    case Kernel::prime_factors:
      return "prime_factors";
    case Kernel::factorial_digits:
      return "factorial_digits";
  }
  return "?";
}

std::vector<std::string_view> kernel_names() {
  std::vector<std::string_view> names;
  for (Kernel k : kKernels) names.push_back(kernel_name(k));
  return names;
}

uint64_t sum_of_squares(uint64_t n) {
  uint64_t total = 0;
  for (uint64_t i = 1; i <= n; ++i) total += i * i;
  return total;
}

std::vector<uint64_t> prime_factors(uint64_t n) {
  std::vector<uint64_t> factors;
  for (uint64_t d = 2; n > 1 && d <= n / d; ++d)
    while (n % d == 0) {
      factors.push_back(d);
      n /= d;
    }
  if (n > 1) factors.push_back(n);
  return factors;
}

uint64_t factorial_digits(uint64_t n) {
  constexpr uint64_t kBase = 1'000'000'000;
  std::vector<uint64_t> limbs = {1};  // little-endian, base 10^9
  for (uint64_t k = 2; k <= n; ++k) {
    uint64_t carry = 0;
    for (auto &limb : limbs) {
      const unsigned __int128 v = static_cast<unsigned __int128>(limb) * k + carry;
      limb = static_cast<uint64_t>(v % kBase);
      carry = static_cast<uint64_t>(v / kBase);
    }
    for (; carry > 0; carry /= kBase) limbs.push_back(carry % kBase);
  }
  return (limbs.size() - 1) * 9 + std::to_string(limbs.back()).size();
}

std::string run_kernel(Kernel kernel, const std::vector<std::string> &args) {
  const size_t arity = kernel == Kernel::md5_chain ? 2 : 1;
  if (args.size() != arity)
    throw std::invalid_argument(std::string(kernel_name(kernel)) + " takes " +
                                std::to_string(arity) + " argument(s), got " +
                                std::to_string(args.size()));
  switch (kernel) {
    case Kernel::md5_chain:
      return hash::chain(args[0], to_u64(args[1]), hash::Rule::indexed);
    case Kernel::sum_of_squares:
      return std::to_string(sum_of_squares(to_u64(args[0])));
    case Kernel::prime_factors: {
      std::string out;
      for (uint64_t f : prime_factors(to_u64(args[0])))
        out += (out.empty() ? "" : ",") + std::to_string(f);
      return out;
    }
    case Kernel::factorial_digits:
      return std::to_string(factorial_digits(to_u64(args[0])));
  }
  return {};
}

std::optional<KernelRef> parse_kernel_ref(const std::string &name) {
  constexpr std::string_view kPrefix = "lua:";
  if (name.rfind(kPrefix, 0) != 0) return std::nullopt;
  const std::string rest = name.substr(kPrefix.size());
  const size_t hash = rest.rfind('#');
  if (hash == std::string::npos || hash == 0 || hash + 1 == rest.size())
    throw std::invalid_argument("kernel '" + name + "': expected lua:FILE#FUNCTION, e.g. " +
                                "lua:scripts/kernels.lua#sum_of_squares");
  return KernelRef{rest.substr(0, hash), rest.substr(hash + 1)};
}

}  // namespace concur::compute
