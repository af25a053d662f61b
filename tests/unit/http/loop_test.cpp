// The non-blocking HTTP loop against a real demo server on loopback.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "http/loop.hpp"
#include "unit/server/running_server.hpp"

using concur::http::Loop;
using concur::http::Response;
using concur::server::PageType;
using concur::test::quick_settings;
using concur::test::Running;

namespace {

// Runs the loop until `done` holds; a loop that never delivers hangs here and
// ctest's timeout fails the test.
template <typename Pred>
void run_until(Loop &loop, Pred done) {
  while (!done()) loop.run_once(-1);
}

std::vector<std::string> regular_ids(const Running &server, size_t count) {
  std::vector<std::string> ids;
  for (const auto &p : server.graph->pages())
    if (p.type == PageType::regular && ids.size() < count) ids.push_back(p.id);
  return ids;
}

}  // namespace

TEST_CASE("many GETs in flight on one thread all complete, each with its own answer", "[http]") {
  auto settings = quick_settings(1);
  settings.delay_scale = 1;
  settings.delays_ms = {300, 300, 300, 300, 300};  // long enough to overlap
  Running server(settings);
  const auto ids = regular_ids(server, 40);
  REQUIRE(ids.size() == 40);

  Loop loop(10'000);
  std::vector<Response> answers(ids.size());
  size_t finished = 0;
  for (size_t i = 0; i < ids.size(); ++i)
    loop.get(server.url("/api/" + ids[i]), [&, i](Response r) {
      answers[i] = std::move(r);
      ++finished;
    });
  CHECK(loop.in_flight() == ids.size());
  run_until(loop, [&] { return finished == ids.size(); });
  CHECK(loop.in_flight() == 0);
  for (size_t i = 0; i < ids.size(); ++i) {
    CHECK(answers[i].status == 200);
    CHECK_THAT(answers[i].body, Catch::Contains("\"" + ids[i] + "\""));
  }
  // They overlapped: the server held every one of them open at once.
  CHECK(server.server.stats().peak >= ids.size());
}

TEST_CASE("more GETs than one multi handle carries spread over several, all answered", "[http]") {
  auto settings = quick_settings(6);
  settings.delay_scale = 1;
  // 2 s: every connection is open before the first answer frees one for
  // reuse, even under TSan on a loaded machine (~1 ms a connection there).
  settings.delays_ms = {2000, 2000, 2000, 2000, 2000};
  Running server(settings);
  const auto ids = regular_ids(server, 40);
  const size_t total = 700;  // above two shards' worth (256 each)
  Loop loop(10'000);
  size_t ok = 0, finished = 0;
  for (size_t i = 0; i < total; ++i)
    loop.get(server.url("/api/" + ids[i % ids.size()]), [&, i](Response r) {
      ok += r.status == 200 && r.body.find(ids[i % ids.size()]) != std::string::npos;
      ++finished;
    });
  run_until(loop, [&] { return finished == total; });
  CHECK(ok == total);
  CHECK(server.server.stats().peak >= total);  // all in flight together
}

TEST_CASE("connections are kept alive and reused across GETs", "[http]") {
  Running server(quick_settings(2));
  const auto ids = regular_ids(server, 20);
  Loop loop(10'000);
  long connections = 0;
  size_t finished = 0;
  for (const auto &id : ids) {  // one after another: each may reuse the last connection
    loop.get(server.url("/api/" + id), [&](Response r) {
      CHECK(r.status == 200);
      connections += r.new_connections;
      ++finished;
    });
    run_until(loop, [&] { return finished == static_cast<size_t>(&id - &ids[0] + 1); });
  }
  CHECK(connections == 1);
}

TEST_CASE("a GET past its timeout ends with status 0 and an error", "[http]") {
  auto settings = quick_settings(3);
  settings.delay_scale = 1;
  settings.delays_ms = {1, 3000, 1, 1, 1};
  Running server(settings);
  Loop loop(100);
  Response answer;
  bool finished = false;
  loop.get(server.url("/api/" + server.first_of(PageType::delay).id), [&](Response r) {
    answer = std::move(r);
    finished = true;
  });
  run_until(loop, [&] { return finished; });
  CHECK(answer.status == 0);
  CHECK_FALSE(answer.error.empty());
  CHECK_FALSE(answer.connect_failed);
  CHECK(answer.timed_out);
}

TEST_CASE("a refused connection is reported as such", "[http]") {
  std::string url;
  {
    Running server(quick_settings(4));
    url = server.url("/health");
  }  // stopped: nothing listens on its port any more
  Loop loop(2'000);
  Response answer;
  bool finished = false;
  loop.get(url, [&](Response r) {
    answer = std::move(r);
    finished = true;
  });
  run_until(loop, [&] { return finished; });
  CHECK(answer.status == 0);
  CHECK(answer.connect_failed);
  CHECK_FALSE(answer.timed_out);
}

TEST_CASE("post() from another thread wakes a loop that is waiting", "[http]") {
  Loop loop(1'000);
  std::atomic<bool> ran{false};
  std::thread poster([&] { loop.post([&] { ran = true; }); });
  run_until(loop, [&] { return ran.load(); });  // nothing else could wake it
  poster.join();
  CHECK(ran);
}

TEST_CASE("a loop destroyed with GETs in flight runs none of their callbacks", "[http]") {
  auto settings = quick_settings(5);
  settings.delay_scale = 1;
  settings.delays_ms = {2000, 2000, 2000, 2000, 2000};
  Running server(settings);
  int callbacks = 0;
  {
    Loop loop(10'000);
    for (const auto &id : regular_ids(server, 5))
      loop.get(server.url("/api/" + id), [&](Response) { ++callbacks; });
    // Until all five requests are at the server: then they are truly in flight.
    while (server.server.stats().in_flight < 5) loop.run_once(10);
  }  // ASan/LSan: no easy handle, socket or callback leaks from here
  CHECK(callbacks == 0);
}

TEST_CASE("a cancelled GET never calls back, and its handle serves the next GET", "[http]") {
  auto settings = quick_settings(6);
  settings.delay_scale = 1;
  settings.delays_ms = {2000, 2000, 2000, 2000, 2000};
  Running server(settings);
  const auto ids = regular_ids(server, 2);
  Loop loop(10'000);
  int cancelled_callbacks = 0;
  const Loop::Id slow =
      loop.get(server.url("/api/" + ids[0]), [&](Response) { ++cancelled_callbacks; });
  while (server.server.stats().in_flight < 1) loop.run_once(10);  // truly at the server
  CHECK(loop.cancel(slow));
  CHECK_FALSE(loop.cancel(slow));  // once only
  CHECK(loop.in_flight() == 0);

  Response answer;
  bool finished = false;
  const Loop::Id next = loop.get(server.url("/health"), [&](Response r) {
    answer = std::move(r);
    finished = true;
  });
  CHECK(next != slow);  // ids are never reused
  run_until(loop, [&] { return finished; });
  CHECK(answer.status == 200);
  CHECK(cancelled_callbacks == 0);
  CHECK_FALSE(loop.cancel(next));  // finished: nothing to cancel
}

TEST_CASE("after() runs its callbacks in deadline order, and wakes a waiting loop", "[http]") {
  Loop loop(1'000);
  std::vector<int> order;
  const auto set_at = std::chrono::steady_clock::now();
  loop.after(30, [&] { order.push_back(3); });
  loop.after(10, [&] { order.push_back(1); });
  loop.after(10, [&] { order.push_back(2); });  // same deadline: in the order set
  CHECK(loop.timers_pending() == 3);
  // Nothing in flight: only the timers can end these waits.
  run_until(loop, [&] { return order.size() == 3; });
  const auto waited = std::chrono::steady_clock::now() - set_at;
  CHECK(order == std::vector<int>{1, 2, 3});
  CHECK(waited >= std::chrono::milliseconds(30));
  CHECK(loop.timers_pending() == 0);
}
