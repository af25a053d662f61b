// The server's whole graph, `/api/cheat/` (PROTOCOL.md, ext): what a complete
// crawl must reach and the exact bound runs over. Bytes from the server.
#pragma once

#include <optional>
#include <string_view>

#include "results/lower_bound.hpp"

namespace concur::crawl {

// Either shape: ours, {"<id>": {"page_type": t, "links": [links]}}, or the
// original server's, {"<id>": [links]} (no types). Links in any of the
// protocol's forms. nullopt: not JSON, empty, or an entry in neither shape.
std::optional<results::KnownGraph> parse_cheat(std::string_view body);

}  // namespace concur::crawl
