// Small text helpers shared by the config readers: number parsing with the
// exact grammar the docs promise, canonical number formatting, and the
// did-you-mean suggestion for misspelt keys.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace concur::config::detail {

// Decimal integers only ("+4", "-3", "12"): octal/hex/underscores are not
// accepted so that a value means the same in YAML and on the command line.
std::optional<int64_t> parse_int(std::string_view text);
std::optional<uint64_t> parse_uint(std::string_view text);
// A finite decimal number ("0.5", "1e-3", "+2", ".5"); no inf or nan.
std::optional<double> parse_number(std::string_view text);

// Shortest text that reads back to the same double: 0.1 -> "0.1", 4 -> "4".
std::string format_number(double value);

// 'text' in single quotes, one line, cut short when long: for messages.
std::string quote(std::string_view text);

// `text` safe to print: control bytes and bytes that are not UTF-8 as \xNN, a
// newline as \n; at most `max_bytes` of it, then "...".
std::string printable(std::string_view text, size_t max_bytes = std::string_view::npos);

// The closest of `known` to `word` within edit distance 2 (transpositions
// count 1), or nothing. Ties go to the earlier entry of `known`.
std::optional<std::string_view> closest(std::string_view word,
                                        std::span<const std::string_view> known);

// " (did you mean 'x'?)" or "".
std::string suggestion(std::string_view word, std::span<const std::string_view> known);

std::string join(std::span<const std::string_view> words, std::string_view separator);

}  // namespace concur::config::detail
