// Seeded mixing, the same on every machine and every build: the demo server's
// random numbers (server/rng.hpp) and the crawler's backoff jitter
// (crawl/policy.cpp) are both made from these, so neither reaches into the
// other. Changing an output changes every graph and every jitter schedule.
#pragma once

#include <cstdint>
#include <string_view>

namespace concur::hash {

// splitmix64's output for state x (its increment included): a good 64-bit
// mixer, also used to derive seeds.
inline uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// FNV-1a, 64 bits: hashes text (page ids) into a number to mix.
inline uint64_t fnv1a(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

}  // namespace concur::hash
