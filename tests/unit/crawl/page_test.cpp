#include <catch2/catch.hpp>

#include "crawl/cheat.hpp"
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
  CHECK(p.puzzles.empty());
  CHECK(p.work.empty());
}

TEST_CASE("puzzle pages yield work units with the right iterations", "[crawl]") {
  PuzzleParams params;
  params.cpu_iterations = 7;
  params.core_iterations = 3;
  PageContent cpu = parse_page(R"({"page_id":"c","page_type":"cpu","hashseed":"s1"})", params);
  REQUIRE(cpu.puzzles.size() == 1);
  CHECK(cpu.puzzles[0].kind == PageContent::Puzzle::cpu);
  REQUIRE(cpu.work.size() == 1);
  CHECK(cpu.work[0].seed == "s1");
  CHECK(cpu.work[0].iterations == 7);

  PageContent core =
      parse_page(R"({"page_type":"core","hashseed":{"2":"b","1":"a","3":"c","4":"d"}})", params);
  REQUIRE(core.puzzles.size() == 1);
  CHECK(core.puzzles[0].kind == PageContent::Puzzle::core);
  REQUIRE(core.work.size() == 4);
  CHECK(core.work[0].seed == "a");  // by position, not by JSON order
  CHECK(core.work[3].seed == "d");
  CHECK(core.work[1].iterations == 3);
}

TEST_CASE("puzzle answers assemble the hidden id", "[crawl]") {
  PageContent cpu = parse_page(R"({"hashseed":"s"})", {});
  CHECK(puzzle_answers(cpu, {"c423e7d0d6081f83"}, 4) == std::vector<std::string>{"c423"});
  PageContent core = parse_page(R"({"hashseed":{"1":"a","2":"b","3":"c","4":"d"}})", {});
  CHECK(puzzle_answers(core, {"a1", "b2", "c3", "d4"}, 4) == std::vector<std::string>{"abcd"});
}

TEST_CASE("the original server's seed lists hide one link each", "[crawl]") {
  PuzzleParams params;
  params.cpu_iterations = 5;
  params.core_iterations = 2;
  PageContent p = parse_page(
      R"({"page_type":"cpu","hashseeds":["s1","s2"],"multiseeds":[["a","b","c"],["d","e","f"]]})",
      params);
  REQUIRE(p.puzzles.size() == 4);
  REQUIRE(p.work.size() == 8);
  CHECK(p.work[1].seed == "s2");
  CHECK(p.work[1].iterations == 5);
  CHECK(p.work[7].seed == "f");
  CHECK(p.work[7].iterations == 2);
  const std::vector<std::string> results = {"111111", "222222", "a", "b", "c", "d", "e", "f"};
  CHECK(puzzle_answers(p, results, 6) ==
        std::vector<std::string>{"111111", "222222", "abc", "def"});
  CHECK_THROWS_AS(parse_page(R"({"multiseeds":[[]]})", params), PageError);
  CHECK_THROWS_AS(parse_page(R"({"hashseeds":[7]})", params), PageError);
}

TEST_CASE("what is not a page is refused", "[crawl]") {
  CHECK_THROWS_AS(parse_page("<html>", {}), PageError);
  CHECK_THROWS_AS(parse_page("[1,2]", {}), PageError);
  CHECK_THROWS_AS(parse_page(R"({"links":"ab12"})", {}), PageError);
  CHECK_THROWS_AS(parse_page(R"({"links":[12]})", {}), PageError);
  CHECK_THROWS_AS(parse_page(R"({"hashseed":{"1":"a","3":"c"}})", {}), PageError);
}

TEST_CASE("/api/cheat/ is read in ours and in the original's shape", "[page]") {
  const auto ours = concur::crawl::parse_cheat(
      R"({"ab12": {"page_type": "cpu", "links": ["/api/cd34"]}, "cd34": {"page_type": "regular", "links": []}})");
  REQUIRE(ours.has_value());
  CHECK(ours->links.at("ab12") == std::vector<std::string>{"cd34"});
  CHECK(ours->types.at("ab12") == "cpu");
  const auto original =
      concur::crawl::parse_cheat(R"({"a1b2c3": ["d4e5f6", "/api/a1b2c3"], "d4e5f6": []})");
  REQUIRE(original.has_value());
  CHECK(original->links.at("a1b2c3") == std::vector<std::string>{"d4e5f6", "a1b2c3"});
  CHECK(original->links.at("d4e5f6").empty());
  CHECK(original->types.empty());  // the original gives no types
  CHECK_FALSE(concur::crawl::parse_cheat("not json").has_value());
  CHECK_FALSE(concur::crawl::parse_cheat("{}").has_value());
  CHECK_FALSE(concur::crawl::parse_cheat(R"({"ab12": 7})").has_value());
  CHECK_FALSE(concur::crawl::parse_cheat(R"({"ab12": {"page_type": "cpu"}})").has_value());
}
