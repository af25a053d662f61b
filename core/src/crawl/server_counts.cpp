#include "crawl/server_counts.hpp"

#include <array>
#include <charconv>

namespace concur::crawl {
namespace {

constexpr std::array<std::string_view, 5> kPageTypes = {"regular", "delay", "failure", "cpu",
                                                        "core"};

// The value of label `name` in a `{a="x",b="y"}` label set.
std::string_view label(std::string_view labels, std::string_view name) {
  const std::string key = std::string(name) + "=\"";
  const auto at = labels.find(key);
  if (at == std::string_view::npos) return {};
  const auto begin = at + key.size(), end = labels.find('"', begin);
  return end == std::string_view::npos ? std::string_view{} : labels.substr(begin, end - begin);
}

}  // namespace

std::optional<ServerCounts> parse_server_counts(std::string_view text) {
  constexpr std::string_view kFamily = "concur_requests_total{";
  ServerCounts counts;
  // The family's TYPE line is there before its first sample.
  const bool seen = text.find("# TYPE concur_requests_total ") != std::string_view::npos;
  for (size_t pos = 0; pos < text.size();) {
    const size_t eol = std::min(text.find('\n', pos), text.size());
    const std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.starts_with(kFamily)) continue;
    const size_t close = line.find('}');
    if (close == std::string_view::npos) continue;
    const std::string_view labels = line.substr(kFamily.size(), close - kFamily.size());
    const std::string_view type = label(labels, "type");
    bool page = false;
    for (auto t : kPageTypes) page = page || t == type;
    if (!page) continue;
    long value = 0, status = 0;
    const std::string_view number = line.substr(close + 1);
    const size_t digits = number.find_first_not_of(' ');
    if (digits == std::string_view::npos) continue;
    std::from_chars(number.data() + digits, number.data() + number.size(), value);
    const std::string_view code = label(labels, "status");
    std::from_chars(code.data(), code.data() + code.size(), status);
    counts.requests += value;
    if (status >= 500) counts.errors += value;
  }
  if (!seen) return std::nullopt;
  return counts;
}

std::optional<ServerCounts> fetch_server_counts(http::Client &client, const std::string &base_url) {
  const http::Response r = client.get(base_url + "/metrics");
  if (!r.ok()) return std::nullopt;
  return parse_server_counts(r.body);
}

}  // namespace concur::crawl
