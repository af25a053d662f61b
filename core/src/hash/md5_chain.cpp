// OpenSSL's low-level MD5 calls are deprecated in OpenSSL 3 in favour of EVP,
// but the EVP path costs ~150 ns per chain step here, Init/Update/Final ~113 ns
// and one MD5_Transform on a block we keep ourselves ~107 ns (the compression
// itself is ~85 ns): the dispatch would be a third of the work.
#define OPENSSL_API_COMPAT 10101
#include "hash/md5_chain.hpp"

#include "hash/md5_block.hpp"

#include <openssl/md5.h>

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

// One chain on one block (md5_block.hpp): one MD5_Transform per step instead
// of Init/Update/Final and their copies.
class OneBlockChain {
 public:
  char *hex() { return block_.hex(); }

  void run(Rule rule, uint64_t from, uint64_t to) {
    if (from >= to) return;
    block_.begin(rule, from);
    for (uint64_t i = from; i < to; ++i) {
      step();
      if (i + 1 < to) block_.next();
    }
  }

 private:
  void step() {
    MD5_CTX ctx;
    MD5_Init(&ctx);
    MD5_Transform(&ctx, block_.bytes());
    const MD5_LONG words[4] = {ctx.A, ctx.B, ctx.C, ctx.D};
    unsigned char digest[MD5_DIGEST_LENGTH];
    for (int w = 0; w < 4; ++w)
      for (int b = 0; b < 4; ++b)
        digest[4 * w + b] = static_cast<unsigned char>(words[w] >> (8 * b));
    to_hex(digest, hex());
  }

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
