// Reading the server's side of a run from its Prometheus text.
#include <catch2/catch.hpp>

#include "crawl/server_counts.hpp"

using concur::crawl::parse_server_counts;

TEST_CASE("page requests and their 5xx are summed; root and other paths are not",
          "[crawl][metrics]") {
  const auto counts = parse_server_counts(
      "# HELP concur_requests_total Requests answered\n"
      "# TYPE concur_requests_total counter\n"
      "concur_requests_total{type=\"regular\",status=\"200\"} 120\n"
      "concur_requests_total{type=\"failure\",status=\"500\"} 37\n"
      "concur_requests_total{type=\"failure\",status=\"200\"} 4\n"
      "concur_requests_total{type=\"root\",status=\"200\"} 3\n"
      "concur_requests_total{type=\"other\",status=\"404\"} 9\n"
      "concur_requests_in_flight 2\n");
  REQUIRE(counts.has_value());
  CHECK(counts->requests == 161);
  CHECK(counts->errors == 37);
}

TEST_CASE(
    "a server that has not answered anything yet counts zero; one without the family "
    "has no counts",
    "[crawl][metrics]") {
  const auto fresh = parse_server_counts("# TYPE concur_requests_total counter\n");
  REQUIRE(fresh.has_value());
  CHECK(fresh->requests == 0);
  CHECK_FALSE(parse_server_counts("<html>Not Found</html>").has_value());
}
