#include "analysis/thresholds.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace concur::analysis {
namespace {

struct OpText {
  std::string_view text;
  Threshold::Op op;
};

// Two-character operators first, so "<=" is not read as "<" then "=0".
constexpr OpText kOps[] = {{"<=", Threshold::Op::less_equal}, {">=", Threshold::Op::greater_equal},
                           {"==", Threshold::Op::equal},      {"!=", Threshold::Op::not_equal},
                           {"<", Threshold::Op::less},        {">", Threshold::Op::greater}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A finite decimal number, the whole of `text`: strtod's grammar without
// hex, inf or nan (what a reader of the config means by a number).
bool read_number(std::string_view text, double &out) {
  if (text.empty() || text.find_first_not_of("0123456789.eE+-") != std::string_view::npos)
    return false;
  const std::string copy(text);
  char *end = nullptr;
  out = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size() && std::isfinite(out);
}

std::string shown(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

}  // namespace

Threshold parse_threshold(std::string_view column, std::string_view expression) {
  const std::string_view e = trim(expression);
  const OpText *found = nullptr;
  for (const OpText &candidate : kOps) {
    if (e.substr(0, candidate.text.size()) == candidate.text) {
      found = &candidate;
      break;
    }
  }
  if (found == nullptr)
    throw ThresholdError("expected OPERATOR NUMBER (operators: < <= > >= == !=), e.g. \">= 0.8\"");
  const std::string_view number = trim(e.substr(found->text.size()));
  Threshold t{std::string(column), found->op, 0, {}};
  if (!read_number(number, t.value))
    throw ThresholdError("expected a number after '" + std::string(found->text) + "', got '" +
                         std::string(number) + "'");
  t.text = std::string(column) + " " + std::string(found->text) + " " + std::string(number);
  return t;
}

bool holds(const Threshold &t, double v) {
  switch (t.op) {
    case Threshold::Op::less:
      return v < t.value;
    case Threshold::Op::less_equal:
      return v <= t.value;
    case Threshold::Op::greater:
      return v > t.value;
    case Threshold::Op::greater_equal:
      return v >= t.value;
    case Threshold::Op::equal:
      return v == t.value;
    case Threshold::Op::not_equal:
      return v != t.value;
  }
  return false;
}

std::vector<std::string> missed(const std::vector<Threshold> &thresholds,
                                const std::map<std::string, double> &values) {
  std::vector<std::string> out;
  for (const Threshold &t : thresholds) {
    const auto found = values.find(t.column);
    if (found == values.end() || std::isnan(found->second))
      out.push_back(t.text + " (not measured)");
    else if (!holds(t, found->second))
      out.push_back(t.text + " (" + shown(found->second) + ")");
  }
  return out;
}

std::string thresholds_cell(const std::vector<Threshold> &thresholds,
                            const std::vector<std::string> &missed) {
  if (thresholds.empty()) return "";
  if (missed.empty()) return "met";
  std::string out = "missed: ";
  for (size_t i = 0; i < missed.size(); ++i) out += (i ? "; " : "") + missed[i];
  return out;
}

std::vector<Threshold> merge_thresholds(std::vector<Threshold> base,
                                        const std::vector<Threshold> &overrides) {
  for (const Threshold &t : overrides) {
    const auto same = std::find_if(base.begin(), base.end(),
                                   [&t](const Threshold &b) { return b.column == t.column; });
    if (same != base.end())
      *same = t;
    else
      base.push_back(t);
  }
  return base;
}

}  // namespace concur::analysis
