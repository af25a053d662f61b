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

TEST_CASE("records sorted by id are found by id", "[results]") {
  PageRecords pages;
  pages.push_back({"cc", "cpu", LinkList{"aa"}});
  pages.push_back({"aa", "regular", LinkList{"cc", "bb"}});
  pages.push_back({"bb", "", LinkList{}});
  sort_by_id(pages);
  CHECK(page_ids(pages) == std::vector<std::string>{"aa", "bb", "cc"});
  REQUIRE(find_page(pages, "cc") != nullptr);
  CHECK(find_page(pages, "cc")->type == "cpu");
  CHECK(find_page(pages, "b") == nullptr);
  CHECK(find_page(pages, "zz") == nullptr);
}
