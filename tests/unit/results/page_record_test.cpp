#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "results/page_record.hpp"

using namespace concur::results;

namespace {
std::vector<std::string> unpacked(const LinkList &links) {
  return {links.begin(), links.end()};
}
}  // namespace

TEST_CASE("a link list gives back its links, in order, whatever their length", "[results]") {
  const std::string long_id(300, 'x'), longest_short(254, 'y'), first_long(255, 'z');
  const std::vector<std::string> ids = {"a1b2", "", long_id, "ffff", longest_short, first_long};
  const LinkList links(ids);
  CHECK(unpacked(links) == ids);
  CHECK(links.size() == ids.size());
  CHECK_FALSE(links.empty());
  CHECK(LinkList().empty());
  CHECK(LinkList().size() == 0);
  CHECK(unpacked(LinkList{"b", "c"}) == std::vector<std::string>{"b", "c"});
  CHECK(LinkList{"b", "c"} == LinkList(std::vector<std::string>{"b", "c"}));
  CHECK_FALSE(LinkList{"b", "c"} == LinkList{"c", "b"});
}

TEST_CASE("records sorted by page are found by page; ids come back sorted", "[results]") {
  PageNames names;
  const uint32_t cc = names.intern("cc").first, aa = names.intern("aa").first,
                 bb = names.intern("bb").first;
  CHECK(names.intern("aa") == std::pair<uint32_t, bool>(aa, false));  // once
  CHECK(names.find("bb") == bb);
  CHECK_FALSE(names.find("b").has_value());
  PageRecords pages;
  pages.push_back({bb, names.type_index(""), LinkList{}});
  pages.push_back({cc, names.type_index("cpu"), LinkList{"aa"}});
  pages.push_back({aa, names.type_index("regular"), LinkList{"cc", "bb"}});
  sort_by_page(pages);
  CHECK(page_ids(pages, names) == std::vector<std::string>{"aa", "bb", "cc"});
  REQUIRE(find_page(pages, cc) != nullptr);
  CHECK(names.type_name(find_page(pages, cc)->type) == "cpu");
  CHECK(names.type_index("cpu") == find_page(pages, cc)->type);
  CHECK(find_page(pages, names.intern("dd").first) == nullptr);
}
