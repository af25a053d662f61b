// Messages from another process or host are bounded: longer than the limit is
// refused before a byte is decoded.
#include <catch2/catch.hpp>

#include <string>

#include "crawl/run_description.hpp"
#include "crawl/wire.hpp"

using namespace concur::crawl;

TEST_CASE("a task, an outcome or a run description past the size limit is refused",
          "[crawl][wire]") {
  const std::string huge(wire::kMaxMessage + 1, '\xa0');  // an empty CBOR map, then padding
  CHECK_THROWS_WITH(wire::decode_task(huge), Catch::Contains("more than the limit of 67108864"));
  Task task;
  WorkerStats stats;
  concur::results::PageNames names;
  CHECK_THROWS_WITH(wire::decode_outcome(huge, task, stats, names),
                    Catch::Contains("more than the limit"));
  CHECK_THROWS_AS(settings_from_description(huge), DescriptionError);
  CHECK_THROWS_WITH(settings_from_description(huge), Catch::Contains("more than the limit"));
}
