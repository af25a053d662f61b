#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "crawl/frontier.hpp"

using concur::crawl::LocalFrontier;
using concur::crawl::TakeResult;

TEST_CASE("the frontier is FIFO and de-duplicates", "[crawl]") {
  LocalFrontier f("a", 0);
  std::string id;
  REQUIRE(f.take(id, false) == TakeResult::task);
  CHECK(id == "a");
  CHECK(f.take(id, false) == TakeResult::again);  // a is in flight
  f.done({"b", "c", "a", "b"});
  REQUIRE(f.take(id, false) == TakeResult::task);
  CHECK(id == "b");
  f.done({"c", "d"});
  REQUIRE(f.take(id, false) == TakeResult::task);
  CHECK(id == "c");
  f.done({});
  REQUIRE(f.take(id, false) == TakeResult::task);
  CHECK(id == "d");
  f.done({"a"});
  CHECK(f.take(id, false) == TakeResult::finished);
}

TEST_CASE("max_pages bounds how many tasks are handed out", "[crawl]") {
  LocalFrontier f("a", 2);
  std::string id;
  REQUIRE(f.take(id, false) == TakeResult::task);
  f.done({"b", "c", "d"});
  REQUIRE(f.take(id, false) == TakeResult::task);
  CHECK(f.take(id, false) == TakeResult::finished);  // even with b's flight open
}

TEST_CASE("a waiting taker wakes for new work and for the end", "[crawl]") {
  LocalFrontier f("a", 0);
  std::string first;
  REQUIRE(f.take(first, true) == TakeResult::task);
  std::atomic<int> tasks{0}, finished{0};
  std::vector<std::thread> takers;
  for (int i = 0; i < 3; ++i)
    takers.emplace_back([&] {
      std::string id;
      while (f.take(id, true) == TakeResult::task) {
        ++tasks;
        f.done({});
      }
      ++finished;
    });
  f.done({"b", "c"});  // the takers block until this
  for (auto &t : takers) t.join();
  CHECK(tasks == 2);
  CHECK(finished == 3);
}

TEST_CASE("abort releases every waiting taker", "[crawl]") {
  LocalFrontier f("a", 0);
  std::string id;
  REQUIRE(f.take(id, true) == TakeResult::task);  // a in flight: others must wait
  std::thread waiter([&] {
    std::string other;
    CHECK(f.take(other, true) == TakeResult::finished);
  });
  f.abort();
  waiter.join();
  CHECK(f.take(id, true) == TakeResult::finished);
}
