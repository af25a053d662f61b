#include "config/fields.hpp"

#include <algorithm>

namespace concur::config::detail {

void Field::fail(const std::string &message) const {
  const Node &value = node();
  // A value from --set must be blamed on --set even when its key is in the file.
  if (value.kind == Node::Kind::scalar || !value.origin.empty()) {
    detail::fail(value.where, value.origin, path_, message);
  }
  fail_key(message);
}

void Field::fail_key(const std::string &message) const {
  detail::fail(entry_.where, entry_.origin, path_, message);
}

void Field::expected(const std::string &what) const {
  fail("expected " + what + ", got " + describe_node(node()));
}

std::string Field::string() const {
  if (node().kind != Node::Kind::scalar) expected("a string");
  return node().text;
}

std::string Field::non_empty_string() const {
  if (node().kind != Node::Kind::scalar || node().text.empty()) expected("a non-empty string");
  return node().text;
}

int Field::integer(int min, int max) const {
  const std::string phrase = integer_phrase(min, max, std::numeric_limits<int>::max());
  if (node().kind != Node::Kind::scalar) expected(phrase);
  const std::string &text = node().text;
  auto value = parse_int(text);
  // Beyond what the key can hold (even beyond 64 bits): say the range, not
  // just "a positive integer".
  const bool digits_only = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
  if (value ? *value > max : digits_only)
    expected(integer_phrase(min, max, std::numeric_limits<double>::infinity()));
  if (!value || *value < min) expected(phrase);
  return static_cast<int>(*value);
}

uint64_t Field::unsigned_integer(uint64_t min) const {
  constexpr auto kLimit = std::numeric_limits<uint64_t>::max();
  const std::string phrase = integer_phrase(static_cast<double>(min), static_cast<double>(kLimit),
                                            static_cast<double>(kLimit));
  if (node().kind != Node::Kind::scalar) expected(phrase);
  auto value = parse_uint(node().text);
  if (!value || *value < min) expected(phrase);
  return *value;
}

double Field::number(double min, double max) const {
  const std::string phrase = number_phrase(min, max);
  if (node().kind != Node::Kind::scalar) expected(phrase);
  auto value = parse_number(node().text);
  if (!value || *value < min || *value > max) expected(phrase);
  return *value;
}

std::string Field::one_of(std::span<const std::string_view> choices) const {
  const std::string phrase = "one of " + join(choices, "|");
  if (node().kind != Node::Kind::scalar) expected(phrase);
  for (std::string_view choice : choices) {
    if (node().text == choice) return node().text;
  }
  expected(phrase);
}

bool Field::boolean() const {
  static constexpr std::string_view kChoices[] = {"true", "false"};
  return one_of(kChoices) == "true";
}

const Node &Field::map() const {
  if (node().kind != Node::Kind::map && node().kind != Node::Kind::null) expected("a mapping");
  return node();
}

const Node &Field::list() const {
  if (node().kind != Node::Kind::list) expected("a list");
  return node();
}

std::string integer_phrase(double min, double max, double limit) {
  if (max >= limit) {
    if (min == 0) return "a non-negative integer";
    if (min == 1) return "a positive integer";
    return "an integer >= " + format_number(min);
  }
  return "an integer between " + format_number(min) + " and " + format_number(max);
}

std::string number_phrase(double min, double max) {
  if (max == std::numeric_limits<double>::max()) {
    return min == 0 ? "a non-negative number" : "a number >= " + format_number(min);
  }
  return "a number between " + format_number(min) + " and " + format_number(max);
}

void unknown_key(const Entry &entry, const std::string &path,
                 std::span<const std::string_view> known) {
  fail(entry.where, entry.origin, path, "unknown key" + suggestion(entry.key, known));
}

}  // namespace concur::config::detail
