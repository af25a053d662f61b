// The built-in kernels against known values, and the Lua kernels of
// scripts/kernels.lua against the built-in ones.
#include <catch2/catch.hpp>

#include "compute/kernels.hpp"
#include "script/kernels.hpp"

using namespace concur::compute;

TEST_CASE("sum_of_squares: n(n+1)(2n+1)/6", "[compute]") {
  CHECK(sum_of_squares(0) == 0);
  CHECK(sum_of_squares(10) == 385);
  CHECK(sum_of_squares(3'000'000) == 9'000'004'500'000'500'000ULL);
}

TEST_CASE("prime_factors: smallest first, with multiplicity", "[compute]") {
  CHECK(prime_factors(1).empty());
  CHECK(prime_factors(97) == std::vector<uint64_t>{97});
  CHECK(prime_factors(360) == std::vector<uint64_t>{2, 2, 2, 3, 3, 5});
  CHECK(prime_factors(600'851'475'143ULL) == std::vector<uint64_t>{71, 839, 1471, 6857});
  // A large prime: trial division runs to its square root.
  CHECK(prime_factors(1'000'000'007ULL) == std::vector<uint64_t>{1'000'000'007ULL});
}

TEST_CASE("factorial_digits: the length of n!", "[compute]") {
  CHECK(factorial_digits(0) == 1);
  CHECK(factorial_digits(1) == 1);
  CHECK(factorial_digits(10) == 7);     // 3628800
  CHECK(factorial_digits(100) == 158);  // known: 100! has 158 digits
  CHECK(factorial_digits(1000) == 2568);
  CHECK(factorial_digits(10000) == 35660);
}

TEST_CASE("run_kernel reads text arguments and writes text results", "[compute]") {
  CHECK(run_kernel(Kernel::md5_chain, {"abc", "1000"}) == "c423e7d0d6081f837a4b4bc82551d122");
  CHECK(run_kernel(Kernel::prime_factors, {"360"}) == "2,2,2,3,3,5");
  CHECK(run_kernel(Kernel::sum_of_squares, {"10"}) == "385");
  CHECK_THROWS_WITH(run_kernel(Kernel::sum_of_squares, {}), Catch::Contains("takes 1 argument"));
  CHECK_THROWS(run_kernel(Kernel::prime_factors, {"12x"}));
  CHECK(parse_kernel("factorial_digits") == Kernel::factorial_digits);
  CHECK_FALSE(parse_kernel("fibonacci").has_value());
}

TEST_CASE("the Lua kernels agree with the built-in ones", "[compute]") {
  concur::script::LuaKernels lua(CONCUR_SOURCE_DIR "/scripts/kernels.lua");
  for (const char *n : {"0", "1", "10", "12345", "3000000"})
    CHECK(lua.call("sum_of_squares", {n}) == run_kernel(Kernel::sum_of_squares, {n}));
  for (const char *n : {"1", "2", "360", "97", "600851475143", "1000000007"})
    CHECK(lua.call("prime_factors", {n}) == run_kernel(Kernel::prime_factors, {n}));
  for (const char *n : {"0", "1", "10", "100", "1000"})
    CHECK(lua.call("factorial_digits", {n}) == run_kernel(Kernel::factorial_digits, {n}));
}

TEST_CASE("a kernel is named lua:FILE#FUNCTION", "[compute]") {
  CHECK_FALSE(parse_kernel_ref("md5_chain").has_value());
  const auto ref = parse_kernel_ref("lua:scripts/kernels.lua#prime_factors");
  REQUIRE(ref.has_value());
  CHECK(ref->file == "scripts/kernels.lua");
  CHECK(ref->function == "prime_factors");
  CHECK_THROWS_WITH(parse_kernel_ref("lua:scripts/kernels.lua"),
                    Catch::Contains("expected lua:FILE#FUNCTION"));
  CHECK_THROWS(parse_kernel_ref("lua:#f"));
}
