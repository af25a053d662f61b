// The CSV reader behind `concur report`: RFC 4180 quoting, and errors that
// name the file and line.
#include <catch2/catch.hpp>

#include "report/csv_reader.hpp"
#include "report/svg.hpp"

using namespace concur::report;
using Catch::Matchers::Contains;

TEST_CASE("quoted fields keep commas, doubled quotes and line breaks", "[report][csv]") {
  const CsvTable t = parse_csv(
      "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n", "t.csv");
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0] == std::vector<std::string>{"1", "x, y", "say \"hi\""});
  CHECK(t.rows[1] == std::vector<std::string>{"2", "two\nlines", ""});
  CHECK(t.column("c") == 2);
}

TEST_CASE("a last line without a line break still counts; blank lines do not",
          "[report][csv]") {
  const CsvTable t = parse_csv("a,b\n1,2\n\n3,4", "t.csv");
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[1] == std::vector<std::string>{"3", "4"});
}

TEST_CASE("malformed CSV is an error naming file and line", "[report][csv][errors]") {
  CHECK_THROWS_WITH(parse_csv("a,b\n1,2\n3\n", "r.csv"),
                    Contains("r.csv:3: 1 fields, the header has 2"));
  CHECK_THROWS_WITH(parse_csv("a,b\n1,\"open\n", "r.csv"), Contains("r.csv:2: unterminated quote"));
  CHECK_THROWS_WITH(parse_csv("a,b\n1,x\"y\n", "r.csv"), Contains("r.csv:2: a quote inside"));
  CHECK_THROWS_WITH(parse_csv("", "r.csv"), Contains("r.csv: empty"));
  CHECK_THROWS_WITH(parse_csv("a\n1\n", "r.csv").column("wall_s"),
                    Contains("r.csv: no column 'wall_s'"));
}

TEST_CASE("text in the page is escaped", "[report]") {
  CHECK(html_escape("<a href=\"x\">&</a>") == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
}
