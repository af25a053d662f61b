// The one md5 block of a chain step after the first (md5_chain.hpp): every
// such step hashes at most 32 + 1 + 20 bytes, which fits one block once
// padded. The block is kept in place from step to step: the last digest's hex
// in bytes 0..31, then for the indexed rule '_' and the step's decimal counter
// (incremented in place, no division per step), then the padding, rewritten
// only when the counter gains a digit. Shared by the one-chain path
// (md5_chain.cpp) and the multi-lane one (md5_lanes.cpp), which reads the
// words after the hex: they are the same for every chain at a given step.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hash/md5_chain.hpp"

namespace concur::hash::detail {

class StepBlock {
 public:
  static constexpr size_t kHexLen = 32;

  unsigned char *bytes() { return block_; }
  char *hex() { return reinterpret_cast<char *>(block_); }
  // Little-endian word k (md5's message word k).
  uint32_t word(int k) const {
    const unsigned char *p = block_ + 4 * k;
    return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
           static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
  }

  // The block of step `step` (>= 1): plain hashes the hex alone, indexed the
  // hex, '_' and the step number.
  void begin(Rule rule, uint64_t step) {
    rule_ = rule;
    if (rule == Rule::plain) return pad(kHexLen);
    block_[kHexLen] = '_';
    set_counter(step);
  }

  // The block of the next step (the hex is the caller's to write).
  void next() {
    if (rule_ == Rule::indexed) increment_counter();
  }

 private:
  static constexpr size_t kCounterAt = kHexLen + 1;

  void pad(size_t len) {
    len_ = len;
    block_[len] = 0x80;
    for (size_t i = len + 1; i < 56; ++i) block_[i] = 0;
    const uint64_t bits = static_cast<uint64_t>(len) * 8;
    for (int i = 0; i < 8; ++i) block_[56 + i] = static_cast<unsigned char>(bits >> (8 * i));
  }

  void set_counter(uint64_t i) {
    char digits[20];
    size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + i % 10);
      i /= 10;
    } while (i != 0);
    for (size_t k = 0; k < n; ++k)
      block_[kCounterAt + k] = static_cast<unsigned char>(digits[n - 1 - k]);
    pad(kCounterAt + n);
  }

  void increment_counter() {
    size_t pos = len_;
    while (pos > kCounterAt && block_[pos - 1] == '9') block_[--pos] = '0';
    if (pos > kCounterAt) {
      ++block_[pos - 1];
      return;
    }
    // 99…9 became 00…0: one more digit, "1" in front.
    block_[kCounterAt] = '1';
    block_[len_] = '0';
    pad(len_ + 1);
  }

  alignas(8) unsigned char block_[64] = {};
  size_t len_ = 0;
  Rule rule_ = Rule::indexed;
};

}  // namespace concur::hash::detail
