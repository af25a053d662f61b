// Reading CBOR that came from another process or host (crawl/wire.cpp,
// crawl/run_description.cpp): bytes that may be anything. nlohmann's reader
// recurses once per nesting level and reads a float into an integer with a
// plain cast (undefined behaviour out of range); these keep both in bounds,
// so a decoder fails with its own error instead of crashing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace concur::crawl::cbor {

class Error : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Our formats nest 4 deep; this leaves room to grow and bounds the recursion.
inline constexpr int kMaxDepth = 32;

// One whole CBOR item (nothing after it). Throws Error when the bytes are not
// one, nest deeper than kMaxDepth, or declare more elements than they hold.
nlohmann::json parse(std::string_view bytes);

// `j` itself when it is an array; else throws Error (a map would iterate too).
const nlohmann::json &array(const nlohmann::json &j);

// An integer that T holds exactly; a float, another type or a value out of
// T's range throw Error.
template <typename T>
T integer(const nlohmann::json &j) {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>);
  if (j.is_number_unsigned()) {
    const auto v = j.get<std::uint64_t>();
    if (std::in_range<T>(v)) return static_cast<T>(v);
  } else if (j.is_number_integer()) {
    const auto v = j.get<std::int64_t>();
    if (std::in_range<T>(v)) return static_cast<T>(v);
  } else {
    throw Error(std::string("expected an integer, found ") +
                (j.is_number_float() ? "a float" : j.type_name()));
  }
  throw Error("integer " + j.dump() + " out of range");
}

template <typename T>
std::vector<T> integers(const nlohmann::json &j) {
  std::vector<T> out;
  for (const auto &v : array(j)) out.push_back(integer<T>(v));
  return out;
}

// An enumerator stored as its index, which must be in [0, last].
template <typename E>
E enumerator(const nlohmann::json &j, E last) {
  const int v = integer<int>(j);
  if (v < 0 || v > static_cast<int>(last)) throw Error("unknown kind " + std::to_string(v));
  return static_cast<E>(v);
}

// Flags stored as 0 or 1 (std::vector<char>, as Task::unit_done).
std::vector<char> flags(const nlohmann::json &j);

}  // namespace concur::crawl::cbor
