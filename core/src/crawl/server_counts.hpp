// The server's own count of what a run asked of it, from its Prometheus
// `/metrics` (ext): requests answered for graph pages, and how many of those
// were 5xx. A snapshot before and after a run gives the server's side of the
// run's figures; the runner warns when the two disagree.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/client.hpp"

namespace concur::crawl {

struct ServerCounts {
  long requests = 0;  // answered for pages of the graph (root and unknown paths aside)
  long errors = 0;    // of those, status 5xx
};

// Parses `concur_requests_total{type="...",status="..."} N` lines; nullopt
// when the text holds no such family.
std::optional<ServerCounts> parse_server_counts(std::string_view metrics_text);

// GET base_url/metrics; nullopt when the server has none (the original).
std::optional<ServerCounts> fetch_server_counts(http::Client &client, const std::string &base_url);

}  // namespace concur::crawl
