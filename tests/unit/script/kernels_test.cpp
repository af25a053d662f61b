// Lua kernels: naming, calling, and the example kernels against known values.
#include <catch2/catch.hpp>

#include "script/kernels.hpp"
#include "script_files.hpp"

using namespace concur;

namespace {
const std::string kKernels = CONCUR_SOURCE_DIR "/scripts/kernels.lua";
}

TEST_CASE("the course's kernels give the known answers", "[script]") {
  script::LuaKernels k(kKernels);
  // n(n+1)(2n+1)/6
  CHECK(k.call("sum_of_squares", {"10"}) == "385");
  CHECK(k.call("sum_of_squares", {"3000000"}) == "9000004500000500000");
  CHECK(k.call("prime_factors", {"360"}) == "2,2,2,3,3,5");
  CHECK(k.call("prime_factors", {"97"}) == "97");
  CHECK(k.call("prime_factors", {"600851475143"}) == "71,839,1471,6857");
  CHECK(k.call("prime_factors", {"1"}) == "");
  // 10! = 3628800 (7 digits), 100! has 158 digits, 1000! has 2568.
  CHECK(k.call("factorial_digits", {"10"}) == "7");
  CHECK(k.call("factorial_digits", {"100"}) == "158");
  CHECK(k.call("factorial_digits", {"1000"}) == "2568");
  CHECK(k.call("factorial_digits", {"0"}) == "1");
}

TEST_CASE("a kernel's mistakes name the file, function and line", "[script]") {
  test::ScriptFiles files;
  script::LuaKernels k(files.write("k.lua",
                                   "function bad(n)\n  return n.x\nend\n"
                                   "function fn() return print end\n"));
  CHECK_FALSE(k.has("missing"));
  CHECK_THROWS_WITH(k.call("missing", {}), Catch::Contains("no function 'missing'"));
  CHECK_THROWS_WITH(k.call("bad", {"1"}), Catch::Contains("k.lua:2: in kernel bad:"));
  CHECK_THROWS_WITH(k.call("fn", {}), Catch::Contains("returned a function"));
}
