// Test vectors computed independently with Python's hashlib:
//   r = seed; for i in range(n): r = hashlib.md5(f"{r}_{i}".encode()).hexdigest()
#include <catch2/catch.hpp>

#include <openssl/evp.h>

#include <string>

#include "hash/md5_chain.hpp"

using concur::hash::chain;
using concur::hash::Rule;

TEST_CASE("indexed chain matches hashlib", "[hash]") {
  CHECK(chain("abc", 1, Rule::indexed) == "af7a617778f5b0abe7f68a079039af40");
  CHECK(chain("abc", 1000, Rule::indexed) == "c423e7d0d6081f837a4b4bc82551d122");
  CHECK(chain("", 3, Rule::indexed) == "bb11467bab5b3a02dedd34fdcaff23ae");
  CHECK(chain("x", 100000, Rule::indexed).substr(0, 8) == "67a5f18f");
  // Crosses every counter width up to seven digits (the issue's own vector).
  CHECK(chain("abc", 1000000, Rule::indexed).substr(0, 8) == "1cc71367");
}

TEST_CASE("plain chain matches hashlib", "[hash]") {
  // r = hashlib.md5(r.encode()).hexdigest(), 1000 times from "abc"
  CHECK(chain("abc", 1000, Rule::plain) == "2968f4b0e89959305d29d161ecf41519");
  CHECK(chain("abc", 1, Rule::plain) == "900150983cd24fb0d6963f7d28e17f72");  // md5("abc")
}

namespace {

// The chain, one OpenSSL md5 per step: the reference the specialised step is
// held to.
std::string openssl_chain(std::string r, uint64_t iterations, Rule rule) {
  for (uint64_t i = 0; i < iterations; ++i) {
    const std::string message = rule == Rule::indexed ? r + "_" + std::to_string(i) : r;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    REQUIRE(EVP_Digest(message.data(), message.size(), digest, &length, EVP_md5(), nullptr) == 1);
    static constexpr char kDigits[] = "0123456789abcdef";
    r.clear();
    for (unsigned int b = 0; b < length; ++b) {
      r += kDigits[digest[b] >> 4];
      r += kDigits[digest[b] & 0xf];
    }
  }
  return r;
}

}  // namespace

TEST_CASE("every step agrees with OpenSSL, seeds of every length, both rules", "[hash]") {
  // 0 to 70 bytes (the first step, hashed by OpenSSL itself, may take two
  // blocks), and counters from 1 to 4 digits.
  for (size_t length = 0; length <= 70; length += 7) {
    const std::string seed(length, static_cast<char>('a' + length % 26));
    for (const Rule rule : {Rule::indexed, Rule::plain}) {
      INFO("seed length " << length << ", rule " << concur::hash::rule_name(rule));
      for (const uint64_t steps : {uint64_t{1}, uint64_t{2}, uint64_t{11}, uint64_t{1200}})
        CHECK(chain(seed, steps, rule) == openssl_chain(seed, steps, rule));
    }
  }
}

TEST_CASE("zero iterations return the seed", "[hash]") {
  CHECK(chain("seed", 0, Rule::indexed) == "seed");
}

TEST_CASE("rule names round-trip", "[hash]") {
  CHECK(concur::hash::parse_rule("indexed") == Rule::indexed);
  CHECK(concur::hash::parse_rule("plain") == Rule::plain);
  CHECK_FALSE(concur::hash::parse_rule("md5").has_value());
}
