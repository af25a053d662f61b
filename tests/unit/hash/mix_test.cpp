// The mixers every graph and every jitter schedule are made from: pinned to
// their published values, so a change to them is a visible change.
#include <catch2/catch.hpp>

#include "hash/mix.hpp"

using concur::hash::fnv1a;
using concur::hash::mix64;

TEST_CASE("mix64 is splitmix64's output for its state", "[hash][mix]") {
  // splitmix64 seeded with 0: its first two outputs (states 0 and 0x9e37...).
  CHECK(mix64(0) == 0xe220a8397b1dcdafULL);
  CHECK(mix64(0x9e3779b97f4a7c15ULL) == 0x6e789e6aa1b965f4ULL);
  CHECK(mix64(1) == 0x910a2dec89025cc1ULL);
  CHECK(mix64(~0ULL) == 0xe4d971771b652c20ULL);
}

TEST_CASE("fnv1a is 64-bit FNV-1a", "[hash][mix]") {
  CHECK(fnv1a("") == 0xcbf29ce484222325ULL);  // the offset basis
  CHECK(fnv1a("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(fnv1a("foobar") == 0x85944171f73967e8ULL);
  CHECK(fnv1a("0a1f2") == 0x21415334b0d41a35ULL);
}
