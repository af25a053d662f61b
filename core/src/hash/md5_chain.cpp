// OpenSSL's low-level MD5 calls are deprecated in OpenSSL 3 in favour of EVP,
// but the EVP path costs ~150 ns per chain step here, Init/Update/Final ~113 ns
// and one MD5_Transform on a block we keep ourselves ~107 ns (the compression
// itself is ~85 ns): the dispatch would be a third of the work. OpenSSL hashes
// the seed (any length); every later step is our own compression (below).
#define OPENSSL_API_COMPAT 10101
#include "hash/md5_chain.hpp"

#include "hash/md5_block.hpp"

#include <openssl/md5.h>

#include <cstdint>

namespace concur::hash {
namespace {

constexpr size_t kHexLen = 32;

void to_hex(const unsigned char *digest, char *out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < kHexLen / 2; ++i) {
    out[2 * i] = kDigits[digest[i] >> 4];
    out[2 * i + 1] = kDigits[digest[i] & 0xf];
  }
}

// md5 of data[0..len) as lowercase hex into out (which may alias data: it is
// read before out is written).
void md5_hex(const char *data, size_t len, char *out) {
  unsigned char digest[MD5_DIGEST_LENGTH];
  MD5_CTX ctx;
  MD5_Init(&ctx);
  MD5_Update(&ctx, data, len);
  MD5_Final(digest, &ctx);
  to_hex(digest, out);
}

// The chain step's own md5: one block from the initial state, its first eight
// message words the last digest's hex, made in registers — no MD5_CTX, no
// digest bytes, no hex table, no store and reload of the hex between steps.
// OpenSSL (md5_hex above, MD5() in the tests) is the reference it is checked
// against.
struct Digest {
  uint32_t a, b, c, d;
};

inline uint32_t rotl(uint32_t x, int s) {
  return (x << s) | (x >> (32 - s));
}

// Each operation's sum is ordered so that what does not wait for b (the word
// the previous operation just made) is added first: a + k + m, and in round 2
// the half of the choice that needs only c and d, (c & ~d). The chain of
// dependent instructions per operation is then 4–5 long, not 6–7.
#define CONCUR_MD5_OP(a, b, early, late, g, s, k) \
  a = b + rotl((late) + ((early) + a + (k) + m[g]), s)
#define CONCUR_MD5_R1(a, b, c, d, g, s, k) CONCUR_MD5_OP(a, b, 0u, d ^ (b & (c ^ d)), g, s, k)
#define CONCUR_MD5_R2(a, b, c, d, g, s, k) CONCUR_MD5_OP(a, b, c & ~d, b & d, g, s, k)
#define CONCUR_MD5_R3(a, b, c, d, g, s, k) CONCUR_MD5_OP(a, b, 0u, b ^ (c ^ d), g, s, k)
#define CONCUR_MD5_R4(a, b, c, d, g, s, k) CONCUR_MD5_OP(a, b, 0u, c ^ (b | ~d), g, s, k)

// RFC 1321's 64 operations, unrolled (the table of constants is its T[i]).
inline Digest compress(const uint32_t m[16]) {
  constexpr uint32_t kA = 0x67452301, kB = 0xefcdab89, kC = 0x98badcfe, kD = 0x10325476;
  uint32_t a = kA, b = kB, c = kC, d = kD;
  CONCUR_MD5_R1(a, b, c, d, 0, 7, 0xd76aa478);
  CONCUR_MD5_R1(d, a, b, c, 1, 12, 0xe8c7b756);
  CONCUR_MD5_R1(c, d, a, b, 2, 17, 0x242070db);
  CONCUR_MD5_R1(b, c, d, a, 3, 22, 0xc1bdceee);
  CONCUR_MD5_R1(a, b, c, d, 4, 7, 0xf57c0faf);
  CONCUR_MD5_R1(d, a, b, c, 5, 12, 0x4787c62a);
  CONCUR_MD5_R1(c, d, a, b, 6, 17, 0xa8304613);
  CONCUR_MD5_R1(b, c, d, a, 7, 22, 0xfd469501);
  CONCUR_MD5_R1(a, b, c, d, 8, 7, 0x698098d8);
  CONCUR_MD5_R1(d, a, b, c, 9, 12, 0x8b44f7af);
  CONCUR_MD5_R1(c, d, a, b, 10, 17, 0xffff5bb1);
  CONCUR_MD5_R1(b, c, d, a, 11, 22, 0x895cd7be);
  CONCUR_MD5_R1(a, b, c, d, 12, 7, 0x6b901122);
  CONCUR_MD5_R1(d, a, b, c, 13, 12, 0xfd987193);
  CONCUR_MD5_R1(c, d, a, b, 14, 17, 0xa679438e);
  CONCUR_MD5_R1(b, c, d, a, 15, 22, 0x49b40821);
  CONCUR_MD5_R2(a, b, c, d, 1, 5, 0xf61e2562);
  CONCUR_MD5_R2(d, a, b, c, 6, 9, 0xc040b340);
  CONCUR_MD5_R2(c, d, a, b, 11, 14, 0x265e5a51);
  CONCUR_MD5_R2(b, c, d, a, 0, 20, 0xe9b6c7aa);
  CONCUR_MD5_R2(a, b, c, d, 5, 5, 0xd62f105d);
  CONCUR_MD5_R2(d, a, b, c, 10, 9, 0x02441453);
  CONCUR_MD5_R2(c, d, a, b, 15, 14, 0xd8a1e681);
  CONCUR_MD5_R2(b, c, d, a, 4, 20, 0xe7d3fbc8);
  CONCUR_MD5_R2(a, b, c, d, 9, 5, 0x21e1cde6);
  CONCUR_MD5_R2(d, a, b, c, 14, 9, 0xc33707d6);
  CONCUR_MD5_R2(c, d, a, b, 3, 14, 0xf4d50d87);
  CONCUR_MD5_R2(b, c, d, a, 8, 20, 0x455a14ed);
  CONCUR_MD5_R2(a, b, c, d, 13, 5, 0xa9e3e905);
  CONCUR_MD5_R2(d, a, b, c, 2, 9, 0xfcefa3f8);
  CONCUR_MD5_R2(c, d, a, b, 7, 14, 0x676f02d9);
  CONCUR_MD5_R2(b, c, d, a, 12, 20, 0x8d2a4c8a);
  CONCUR_MD5_R3(a, b, c, d, 5, 4, 0xfffa3942);
  CONCUR_MD5_R3(d, a, b, c, 8, 11, 0x8771f681);
  CONCUR_MD5_R3(c, d, a, b, 11, 16, 0x6d9d6122);
  CONCUR_MD5_R3(b, c, d, a, 14, 23, 0xfde5380c);
  CONCUR_MD5_R3(a, b, c, d, 1, 4, 0xa4beea44);
  CONCUR_MD5_R3(d, a, b, c, 4, 11, 0x4bdecfa9);
  CONCUR_MD5_R3(c, d, a, b, 7, 16, 0xf6bb4b60);
  CONCUR_MD5_R3(b, c, d, a, 10, 23, 0xbebfbc70);
  CONCUR_MD5_R3(a, b, c, d, 13, 4, 0x289b7ec6);
  CONCUR_MD5_R3(d, a, b, c, 0, 11, 0xeaa127fa);
  CONCUR_MD5_R3(c, d, a, b, 3, 16, 0xd4ef3085);
  CONCUR_MD5_R3(b, c, d, a, 6, 23, 0x04881d05);
  CONCUR_MD5_R3(a, b, c, d, 9, 4, 0xd9d4d039);
  CONCUR_MD5_R3(d, a, b, c, 12, 11, 0xe6db99e5);
  CONCUR_MD5_R3(c, d, a, b, 15, 16, 0x1fa27cf8);
  CONCUR_MD5_R3(b, c, d, a, 2, 23, 0xc4ac5665);
  CONCUR_MD5_R4(a, b, c, d, 0, 6, 0xf4292244);
  CONCUR_MD5_R4(d, a, b, c, 7, 10, 0x432aff97);
  CONCUR_MD5_R4(c, d, a, b, 14, 15, 0xab9423a7);
  CONCUR_MD5_R4(b, c, d, a, 5, 21, 0xfc93a039);
  CONCUR_MD5_R4(a, b, c, d, 12, 6, 0x655b59c3);
  CONCUR_MD5_R4(d, a, b, c, 3, 10, 0x8f0ccc92);
  CONCUR_MD5_R4(c, d, a, b, 10, 15, 0xffeff47d);
  CONCUR_MD5_R4(b, c, d, a, 1, 21, 0x85845dd1);
  CONCUR_MD5_R4(a, b, c, d, 8, 6, 0x6fa87e4f);
  CONCUR_MD5_R4(d, a, b, c, 15, 10, 0xfe2ce6e0);
  CONCUR_MD5_R4(c, d, a, b, 6, 15, 0xa3014314);
  CONCUR_MD5_R4(b, c, d, a, 13, 21, 0x4e0811a1);
  CONCUR_MD5_R4(a, b, c, d, 4, 6, 0xf7537e82);
  CONCUR_MD5_R4(d, a, b, c, 11, 10, 0xbd3af235);
  CONCUR_MD5_R4(c, d, a, b, 2, 15, 0x2ad7d2bb);
  CONCUR_MD5_R4(b, c, d, a, 9, 21, 0xeb86d391);
  return {a + kA, b + kB, c + kC, d + kD};
}

#undef CONCUR_MD5_OP
#undef CONCUR_MD5_R1
#undef CONCUR_MD5_R2
#undef CONCUR_MD5_R3
#undef CONCUR_MD5_R4

// A digest word's four bytes (little-endian) as eight lowercase hex characters,
// high nibble first, packed as the two message words that hold them. Bytes are
// spread to every other byte of a 64-bit word, nibbles split, and each nibble
// made a character at once (SWAR): '0' + n, and 39 more where n > 9.
inline void to_hex_words(uint32_t word, uint32_t &low, uint32_t &high) {
  uint64_t x = word;
  x = (x | x << 16) & 0x0000ffff0000ffffULL;
  x = (x | x << 8) & 0x00ff00ff00ff00ffULL;  // byte i of the word in byte 2i
  x = ((x >> 4) & 0x000f000f000f000fULL) | ((x & 0x000f000f000f000fULL) << 8);
  const uint64_t letter = ((x + 0x0606060606060606ULL) >> 4) & 0x0101010101010101ULL;
  x += 0x3030303030303030ULL + letter * 39;
  low = static_cast<uint32_t>(x);
  high = static_cast<uint32_t>(x >> 32);
}

// One chain on one block (md5_block.hpp). The hex stays in message words from
// step to step; only the words after it (the counter, the padding) are read
// from the block, which the counter's increment rewrites in place.
class OneBlockChain {
 public:
  char *hex() { return block_.hex(); }

  void run(Rule rule, uint64_t from, uint64_t to) {
    if (from >= to) return;
    block_.begin(rule, from);
    uint32_t m[16];
    for (int k = 0; k < 8; ++k) m[k] = block_.word(k);
    for (uint64_t i = from; i < to; ++i) {
      for (int k = 8; k < 16; ++k) m[k] = block_.word(k);
      const Digest digest = compress(m);
      to_hex_words(digest.a, m[0], m[1]);
      to_hex_words(digest.b, m[2], m[3]);
      to_hex_words(digest.c, m[4], m[5]);
      to_hex_words(digest.d, m[6], m[7]);
      if (i + 1 < to) block_.next();
    }
    for (int k = 0; k < 8; ++k)
      for (int b = 0; b < 4; ++b)
        block_.bytes()[4 * k + b] = static_cast<unsigned char>(m[k] >> (8 * b));
  }

 private:
  detail::StepBlock block_;
};

}  // namespace

std::optional<Rule> parse_rule(std::string_view text) {
  if (text == "indexed") return Rule::indexed;
  if (text == "plain") return Rule::plain;
  return std::nullopt;
}

std::string_view rule_name(Rule rule) {
  return rule == Rule::indexed ? "indexed" : "plain";
}

std::string chain(std::string_view seed, uint64_t iterations, Rule rule) {
  if (iterations == 0) return std::string(seed);
  // The first step hashes the seed, whose length is arbitrary.
  std::string first(seed);
  if (rule == Rule::indexed) first += "_0";
  OneBlockChain state;
  md5_hex(first.data(), first.size(), state.hex());
  state.run(rule, 1, iterations);
  return std::string(state.hex(), kHexLen);
}

}  // namespace concur::hash
