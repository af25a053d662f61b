// The demo server's own random numbers. Everything random about the graph must
// be the same on every machine, so nothing here touches std:: distributions or
// std::shuffle, whose output differs between standard libraries.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hash/mix.hpp"

namespace concur::server {

// The mixers (hash/mix.hpp: the crawler's jitter uses them too), by their
// names here: the failure oracle, the puzzle streams and the seeds below.
using hash::fnv1a;
using hash::mix64;

// xoshiro256**, seeded through splitmix64 as its authors recommend.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    // splitmix64's stream: mix64 adds the increment itself.
    for (auto &word : s_) {
      word = mix64(seed);
      seed += 0x9e3779b97f4a7c15ULL;
    }
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound), bound > 0: Lemire's multiply-shift with rejection,
  // so the result is exact and identical everywhere.
  uint64_t below(uint64_t bound) {
    unsigned __int128 m = static_cast<unsigned __int128>(next()) * bound;
    auto low = static_cast<uint64_t>(m);
    if (low < bound) {
      const uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        m = static_cast<unsigned __int128>(next()) * bound;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

  // Uniform in [0, 1) with 53 bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // `length` lowercase hex characters (length <= 16) from one draw.
  std::string hex(int length) {
    static constexpr char kDigits[] = "0123456789abcdef";
    uint64_t bits = next();
    std::string out(static_cast<size_t>(length), '0');
    for (auto &c : out) {
      c = kDigits[bits >> 60];
      bits <<= 4;
    }
    return out;
  }

  template <typename T>
  void shuffle(std::vector<T> &items) {  // Fisher-Yates, our own
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace concur::server
