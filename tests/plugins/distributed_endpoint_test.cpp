// The distributed plugin's Redis URL and password sources (plugins/distributed/endpoint.cpp).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "endpoint.hpp"

using namespace concur::distributed;

TEST_CASE("redis URLs: user, password, database, IPv6; the password never shown",
          "[distributed][auth]") {
  Endpoint e = parse_url("redis://10.0.0.1");
  CHECK(e.host == "10.0.0.1");
  CHECK(e.port == 6379);
  CHECK(e.db == 0);
  e = parse_url("redis://worker:p%40ss%3Aw@redis.lan:6380/3");
  CHECK(e.user == "worker");
  CHECK(e.password == "p@ss:w");
  CHECK(e.host == "redis.lan");
  CHECK(e.port == 6380);
  CHECK(e.db == 3);
  CHECK(e.shown() == "redis://worker@redis.lan:6380/3");
  e = parse_url("redis://:legacy@[::1]:7000/");
  CHECK(e.user.empty());
  CHECK(e.password == "legacy");
  CHECK(e.host == "::1");
  CHECK(e.shown() == "redis://[::1]:7000");
  CHECK_THROWS_WITH(parse_url("rediss://h:6379"), Catch::Contains("stunnel"));
  CHECK_THROWS_AS(parse_url("http://h"), RedisAccessError);
  CHECK_THROWS_WITH(parse_url("redis://h:99999"), Catch::Contains("bad port"));
  CHECK_THROWS_WITH(parse_url("redis://h/x"), Catch::Contains("bad database number"));
  // A refused URL's message keeps its password out.
  CHECK_THROWS_WITH(parse_url("redis://u:hunter2@h:port"), !Catch::Contains("hunter2"));
}

TEST_CASE("the password from a file or CONCUR_REDIS_PASSWORD", "[distributed][auth]") {
  namespace fs = std::filesystem;
  const fs::path file = fs::temp_directory_path() / "concur-endpoint-test.pw";
  std::ofstream(file) << "from-file\r\nsecond line\n";
  CHECK(with_password(parse_url("redis://u@h"), file.string()).password == "from-file");
  CHECK_THROWS_WITH(with_password(parse_url("redis://u:x@h"), file.string()),
                    Catch::Contains("two passwords"));
  CHECK_THROWS_WITH(with_password(parse_url("redis://h"), "/nonexistent/pw"),
                    Catch::Contains("cannot read"));
  std::ofstream(file) << "\n";
  CHECK_THROWS_WITH(with_password(parse_url("redis://h"), file.string()), Catch::Contains("empty"));
  fs::remove(file);
  ::setenv("CONCUR_REDIS_PASSWORD", "from-env", 1);
  CHECK(with_password(parse_url("redis://h"), "").password == "from-env");
  CHECK(with_password(parse_url("redis://:url@h"), "").password == "url");  // the URL's first
  ::unsetenv("CONCUR_REDIS_PASSWORD");
  CHECK(with_password(parse_url("redis://h"), "").password.empty());
  CHECK_THROWS_WITH(with_password(parse_url("redis://u@h"), ""),
                    Catch::Contains("has no password"));
}
