#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "results/page_names.hpp"

using namespace concur::results;

TEST_CASE("page names get dense indices, once each, and keep them as the table grows",
          "[results]") {
  PageNames names;
  CHECK(names.size() == 0);
  CHECK_FALSE(names.find("a1b2").has_value());
  CHECK(names.intern("a1b2") == std::pair<uint32_t, bool>{0, true});
  CHECK(names.intern("a1b2") == std::pair<uint32_t, bool>{0, false});
  CHECK(names.intern("") == std::pair<uint32_t, bool>{1, true});  // an empty id is a name too
  CHECK(names.find("") == std::optional<uint32_t>{1});

  // Far past the first slots, so the index is rebuilt many times over; ids
  // that share prefixes and lengths, as a server's do.
  const int count = 100'000;
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) ids.push_back(std::to_string(i * 7919));
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto [index, added] = names.intern(ids[i]);
    REQUIRE(added);
    REQUIRE(index == i + 2);
  }
  CHECK(names.size() == count + 2);
  bool all_kept = true;
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto index = static_cast<uint32_t>(i + 2);
    all_kept = all_kept && names.intern(ids[i]) == std::pair<uint32_t, bool>{index, false} &&
               names.find(ids[i]) == std::optional<uint32_t>{index} && names.name(index) == ids[i];
  }
  CHECK(all_kept);
  CHECK(names.name(0) == "a1b2");
  CHECK_FALSE(names.find("7918").has_value());  // not a multiple of 7919
  CHECK(names.size() == count + 2);
}

TEST_CASE("page types are a table of their own", "[results]") {
  PageNames names;
  names.intern("regular");
  CHECK(names.type_index("delay") == 0);
  CHECK(names.type_index("regular") == 1);
  CHECK(names.type_index("delay") == 0);
  CHECK(names.type_name(1) == "regular");
  CHECK(names.size() == 1);
}
