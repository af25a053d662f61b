#include <catch2/catch.hpp>

#include "crawl/page.hpp"

using namespace concur::crawl;

TEST_CASE("links in every format name the same page", "[crawl]") {
  CHECK(link_to_id("/api/ab12") == "ab12");
  CHECK(link_to_id("ab12") == "ab12");
  CHECK(link_to_id("http://127.0.0.1:5000/api/ab12") == "ab12");
  CHECK(link_to_id("/api/ab12/") == "ab12");
  CHECK_FALSE(link_to_id("/api/").has_value());
  CHECK_FALSE(link_to_id("/api/AB 12").has_value());
}

TEST_CASE("a regular page yields its links in order", "[crawl]") {
  PageContent p = parse_page(
      R"({"page_id":"ab12","page_type":"regular","links":["/api/0001","0002","http://h/api/0003"]})",
      {});
  CHECK(p.page_id == "ab12");
  CHECK(p.page_type == "regular");
  CHECK(p.links == std::vector<std::string>{"0001", "0002", "0003"});
  CHECK(p.puzzle == PageContent::Puzzle::none);
  CHECK(p.work.empty());
}

TEST_CASE("puzzle pages yield work units with the right iterations", "[crawl]") {
  PuzzleParams params;
  params.cpu_iterations = 7;
  params.core_iterations = 3;
  PageContent cpu = parse_page(R"({"page_id":"c","page_type":"cpu","hashseed":"s1"})", params);
  REQUIRE(cpu.puzzle == PageContent::Puzzle::cpu);
  REQUIRE(cpu.work.size() == 1);
  CHECK(cpu.work[0].seed == "s1");
  CHECK(cpu.work[0].iterations == 7);

  PageContent core =
      parse_page(R"({"page_type":"core","hashseed":{"2":"b","1":"a","3":"c","4":"d"}})", params);
  REQUIRE(core.puzzle == PageContent::Puzzle::core);
  REQUIRE(core.work.size() == 4);
  CHECK(core.work[0].seed == "a");  // by position, not by JSON order
  CHECK(core.work[3].seed == "d");
  CHECK(core.work[1].iterations == 3);
}

TEST_CASE("puzzle answers assemble the hidden id", "[crawl]") {
  CHECK(puzzle_answer(PageContent::Puzzle::cpu, {"c423e7d0d6081f83"}, 4) == "c423");
  CHECK(puzzle_answer(PageContent::Puzzle::core, {"a1", "b2", "c3", "d4"}, 4) == "abcd");
}

TEST_CASE("what is not a page is refused", "[crawl]") {
  CHECK_THROWS_AS(parse_page("<html>", {}), PageError);
  CHECK_THROWS_AS(parse_page("[1,2]", {}), PageError);
  CHECK_THROWS_AS(parse_page(R"({"links":"ab12"})", {}), PageError);
  CHECK_THROWS_AS(parse_page(R"({"links":[12]})", {}), PageError);
  CHECK_THROWS_AS(parse_page(R"({"hashseed":{"1":"a","3":"c"}})", {}), PageError);
}
