// The md5 chain of the demo server's puzzles (see PROTOCOL.md, "Puzzles"):
//   result = seed; repeat N times: result = md5_hex(result + "_" + i)   (indexed)
//                                  result = md5_hex(result)             (plain)
// Shared by the server, which makes puzzles, and the crawler, which solves them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace concur::hash {

enum class Rule { indexed, plain };

std::optional<Rule> parse_rule(std::string_view text);
std::string_view rule_name(Rule rule);

// The 32-character lowercase hex result of `iterations` chain steps from `seed`.
// Zero iterations return the seed unchanged.
std::string chain(std::string_view seed, uint64_t iterations, Rule rule);

}  // namespace concur::hash
