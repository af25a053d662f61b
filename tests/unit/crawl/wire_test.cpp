// The host's serialisation of a page between processes (crawl/wire.cpp): what
// a task and an outcome carry comes back equal, and bytes that are not one —
// cut short, of the wrong shape, too deep — are a WireError, never a crash or
// a half-filled task. Frames: wire_frame_test.cpp.
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "crawl/wire.hpp"

using namespace concur;
using crawl::PageContent;
using crawl::Task;
using crawl::WorkerStats;
namespace wire = crawl::wire;
using nlohmann::json;

namespace {

// A page interpreted and partly solved: two puzzle groups over three units;
// unit 0 solved with an empty result, unit 1 not solved yet, unit 2 solved.
Task solved_task() {
  Task t;
  t.page_id = "ab12";
  t.fetched = true;
  t.body = "{\"page_id\":\"ab12\"}";  // consumed by interpret: never travels
  t.content.page_id = "ab12";
  t.content.page_type = "core";
  t.content.links = {"0001", "0002"};
  t.content.puzzles = {{PageContent::Puzzle::cpu, 0, 1}, {PageContent::Puzzle::core, 1, 2}};
  t.content.work = {{"seed-a", 50'000'000}, {"seed-b", 7}, {"seed-c", 0}};
  t.results = {"", "", "0123456789abcdef0123456789abcdef"};
  t.unit_done = {1, 0, 1};
  t.latency_ms = 12.5;
  t.attempts = 3;
  t.bytes = 4096;
  return t;
}

// The names of the process that encodes, and of the one that decodes.
results::PageNames &sent_names() {
  static results::PageNames names;
  return names;
}
results::PageNames &received_names() {
  static results::PageNames names;
  return names;
}

WorkerStats spent_stats() {
  WorkerStats s;
  s.requests = 11;
  s.retries = 2;
  s.solves = 3;
  s.hedged = 4;
  s.give_ups = 1;
  s.cancelled = 5;
  s.failures = {{"timeout", 2}, {"http_503", 1}};
  s.solve_s = 0.25;
  s.connections = 6;
  s.latencies_ms = {1.5, 2.25, 1e-3};
  sent_names().intern("zz99");  // so that the page's index differs on each side
  const uint32_t page = sent_names().intern("ab12").first;
  using Kind = results::Event::Kind;
  s.events.push_back({.kind = Kind::request,
                      .worker = 3,
                      .page = page,
                      .attempt = 2,
                      .start_s = 0.5,
                      .end_s = 0.75,
                      .status = 200,
                      .bytes = 4096});
  s.events.push_back({.kind = Kind::solve,
                      .worker = 3,
                      .page = page,
                      .start_s = 0.8,
                      .end_s = 1.25,
                      .status = 2,
                      .cpu_s = 0.375});
  s.events.push_back({.kind = Kind::request,
                      .worker = 3,
                      .page = page,
                      .attempt = 2,
                      .start_s = 0.6,
                      .end_s = 0.7,
                      .status = results::Event::kCancelled});
  return s;
}

void check_same_content(const PageContent &a, const PageContent &b) {
  CHECK(a.page_id == b.page_id);
  CHECK(a.page_type == b.page_type);
  CHECK(a.links == b.links);
  REQUIRE(a.puzzles.size() == b.puzzles.size());
  for (size_t i = 0; i < a.puzzles.size(); ++i) {
    CHECK(a.puzzles[i].kind == b.puzzles[i].kind);
    CHECK(a.puzzles[i].first == b.puzzles[i].first);
    CHECK(a.puzzles[i].count == b.puzzles[i].count);
  }
  REQUIRE(a.work.size() == b.work.size());
  for (size_t i = 0; i < a.work.size(); ++i) {
    CHECK(a.work[i].seed == b.work[i].seed);
    CHECK(a.work[i].iterations == b.work[i].iterations);
  }
}

// `got` as decoded, `sent` as encoded: their pages by name.
bool same_event(const results::Event &got, const results::Event &sent) {
  const results::Event &a = got, &b = sent;
  return a.kind == b.kind && a.worker == b.worker &&
         received_names().name(a.page) == sent_names().name(b.page) && a.start_s == b.start_s &&
         a.end_s == b.end_s && a.status == b.status && a.cpu_s == b.cpu_s &&
         a.attempt == b.attempt && a.bytes == b.bytes;
}

std::string reencoded(const std::string &cbor, const std::function<void(json &)> &edit) {
  json j = json::from_cbor(cbor);
  edit(j);
  const auto bytes = json::to_cbor(j);
  return {bytes.begin(), bytes.end()};
}

std::string outcome_bytes() {
  return wire::encode_outcome(solved_task(), spent_stats(), sent_names(), "");
}

}  // namespace

TEST_CASE("a fresh task travels as its page id only", "[crawl][wire]") {
  Task t;
  t.page_id = "0a1f";
  t.body = "not yet";
  const Task back = wire::decode_task(wire::encode_task(t));
  CHECK(back.page_id == "0a1f");
  CHECK_FALSE(back.fetched);
  CHECK_FALSE(back.failed);
  CHECK(back.body.empty());
  CHECK(back.content.work.empty());
  CHECK(back.results.empty());
}

TEST_CASE("an interpreted task travels with its work, results and what is done", "[crawl][wire]") {
  const Task t = solved_task();
  const Task back = wire::decode_task(wire::encode_task(t));
  CHECK(back.page_id == "ab12");
  CHECK(back.fetched);
  CHECK_FALSE(back.failed);
  check_same_content(back.content, t.content);
  CHECK(back.results == t.results);  // unit 0: solved, and its result is ""
  CHECK(back.unit_done == std::vector<char>{1, 0, 1});
  // The fetch's figures are the parent's: they stay there.
  CHECK(back.body.empty());
  CHECK(back.attempts == 0);
  CHECK(back.bytes == 0);
}

TEST_CASE("a failed task travels as its id: the child fetches it again", "[crawl][wire]") {
  Task t = solved_task();
  t.failed = true;
  t.failure = "timeout";
  const Task back = wire::decode_task(wire::encode_task(t));
  CHECK(back.page_id == "ab12");
  CHECK_FALSE(back.fetched);
  CHECK(back.failure.empty());
  CHECK(back.content.work.empty());
}

TEST_CASE("an outcome carries the task, what it cost and the run's error", "[crawl][wire]") {
  Task t = solved_task();
  t.failure = "http_503";
  const WorkerStats s = spent_stats();
  Task back;
  back.page_id = "parent's own";
  WorkerStats into;
  const std::string error = wire::decode_outcome(
      wire::encode_outcome(t, s, sent_names(), "server unreachable"), back, into, received_names());
  CHECK(error == "server unreachable");
  CHECK(back.page_id == "parent's own");  // the parent's task, for the same page
  CHECK(back.fetched);
  CHECK_FALSE(back.failed);
  CHECK(back.failure == "http_503");
  check_same_content(back.content, t.content);
  CHECK(back.results == t.results);
  CHECK(back.unit_done == t.unit_done);
  CHECK(back.latency_ms == 12.5);
  CHECK(back.attempts == 3);
  CHECK(back.bytes == 4096);
  CHECK(back.body.empty());

  CHECK(into.requests == 11);
  CHECK(into.retries == 2);
  CHECK(into.solves == 3);
  CHECK(into.hedged == 4);
  CHECK(into.give_ups == 1);
  CHECK(into.cancelled == 5);
  CHECK(into.failures == s.failures);
  CHECK(into.solve_s == 0.25);
  CHECK(into.connections == 6);
  CHECK(into.latencies_ms == s.latencies_ms);
  REQUIRE(into.events.size() == s.events.size());
  for (size_t i = 0; i < s.events.size(); ++i) CHECK(same_event(into.events[i], s.events[i]));
  // Pages completed are counted by complete(), in the parent: not carried.
  CHECK(into.pages_ok == 0);
  CHECK(into.pages_failed == 0);
  CHECK(into.pages.empty());
}

TEST_CASE("an outcome without a run error and a failed fetch", "[crawl][wire]") {
  Task t;
  t.page_id = "ff00";
  t.fetched = true;
  t.failed = true;
  t.failure = "connection";
  Task back;
  WorkerStats into;
  CHECK(wire::decode_outcome(wire::encode_outcome(t, {}, sent_names(), ""), back, into,
                             received_names())
            .empty());
  CHECK(back.fetched);
  CHECK(back.failed);
  CHECK(back.failure == "connection");
  CHECK(back.content.work.empty());
  CHECK(into.requests == 0);
  CHECK(into.events.empty());
}

TEST_CASE("an outcome's counters add to the worker's, failures by kind", "[crawl][wire]") {
  WorkerStats into = spent_stats();
  Task back;
  wire::decode_outcome(outcome_bytes(), back, into, received_names());
  CHECK(into.requests == 22);
  CHECK(into.cancelled == 10);
  CHECK(into.solve_s == 0.5);
  CHECK(into.failures == std::map<std::string, long>{{"timeout", 4}, {"http_503", 2}});
  CHECK(into.latencies_ms.size() == 6);
  CHECK(into.events.size() == 6);
}

TEST_CASE("every prefix of a task or an outcome is refused", "[crawl][wire]") {
  // CBOR items here have definite lengths: no proper prefix is a whole item.
  const std::string task = wire::encode_task(solved_task());
  for (size_t n = 0; n < task.size(); ++n) {
    INFO("task prefix of " << n << " bytes");
    CHECK_THROWS_AS(wire::decode_task(task.substr(0, n)), wire::WireError);
  }
  const std::string outcome = outcome_bytes();
  for (size_t n = 0; n < outcome.size(); ++n) {
    INFO("outcome prefix of " << n << " bytes");
    Task back;
    WorkerStats into;
    CHECK_THROWS_AS(wire::decode_outcome(outcome.substr(0, n), back, into, received_names()),
                    wire::WireError);
  }
}

TEST_CASE("trailing bytes after a task are refused", "[crawl][wire]") {
  CHECK_THROWS_AS(wire::decode_task(wire::encode_task(solved_task()) + '\0'), wire::WireError);
}

TEST_CASE("a field of the wrong type is a WireError", "[crawl][wire]") {
  const std::string task = wire::encode_task(solved_task());
  const std::vector<std::function<void(json &)>> task_edits = {
      [](json &j) {
        j["id"] = json::object({{"a", 1}});
      },
      [](json &j) { j["content"] = "a page"; },
      [](json &j) {
        j["content"]["links"] = json::array({1, 2});
      },
      [](json &j) { j["content"]["work"][0] = json::object(); },
      [](json &j) {
        j["results"] = json::array({"", ""});
      },  // fewer than the units
      [](json &j) { j.erase("done"); },
      [](json &j) { j = json::array({"ab12"}); },  // not a map at all
  };
  for (size_t i = 0; i < task_edits.size(); ++i) {
    INFO("task edit " << i);
    CHECK_THROWS_AS(wire::decode_task(reencoded(task, task_edits[i])), wire::WireError);
  }
  const std::vector<std::function<void(json &)>> outcome_edits = {
      [](json &j) {
        j["error"] = json::object({{"a", 1}});
      },
      [](json &j) { j["fetched"] = "yes"; },
      [](json &j) { j["fetch"] = "12.5 ms"; },
      [](json &j) { j["stats"]["latencies"] = json::array({"1.5"}); },
      [](json &j) { j["stats"]["failures"] = json::array({"timeout"}); },
      [](json &j) { j["stats"]["events"][0][2] = json::array(); },
      [](json &j) { j["stats"].erase("requests"); },
  };
  for (size_t i = 0; i < outcome_edits.size(); ++i) {
    INFO("outcome edit " << i);
    Task back;
    WorkerStats into;
    CHECK_THROWS_AS(wire::decode_outcome(reencoded(outcome_bytes(), outcome_edits[i]), back, into,
                                         received_names()),
                    wire::WireError);
  }
}

TEST_CASE("numbers the fields cannot hold are refused, floats in integer fields too",
          "[crawl][wire]") {
  // A float read into an integer is a plain cast in nlohmann (undefined out of
  // range), a negative size would wrap: both must be refused, not converted.
  const std::vector<std::function<void(json &)>> edits = {
      [](json &j) { j["fetch"][1] = 1e300; },                       // attempts
      [](json &j) { j["fetch"][1] = 3.0; },                         // still not an integer
      [](json &j) { j["fetch"][1] = int64_t{1} << 40; },            // beyond int
      [](json &j) { j["stats"]["requests"] = -1e300; },             // long
      [](json &j) { j["stats"]["failures"]["timeout"] = 0.5; },     // long in a map
      [](json &j) { j["stats"]["events"][0][1] = 1e19; },           // worker
      [](json &j) { j["stats"]["events"][0][0] = 2; },              // no such event kind
      [](json &j) { j["stats"]["events"][0][0] = -1; },             //
      [](json &j) { j["content"]["work"][0][1] = -1; },             // iterations
      [](json &j) { j["content"]["work"][0][1] = 1e20; },           //
      [](json &j) { j["content"]["puzzles"][0][0] = 7; },           // no such puzzle kind
      [](json &j) { j["content"]["puzzles"][0][1] = -1; },          // first
      [](json &j) { j["content"]["puzzles"][1][2] = 3; },           // units 1..3 of 3
      [](json &j) { j["content"]["puzzles"][1][1] = UINT64_MAX; },  // first + count wraps
      [](json &j) { j["done"][0] = 2; },                            // a flag is 0 or 1
      [](json &j) { j["done"][0] = 1.0; },                          //
      [](json &j) { j["results"].push_back(""); },                  // one per unit
      [](json &j) {
        j["content"]["work"] = json::object({{"a", json::array({"s", 1})}});
      },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    INFO("outcome edit " << i);
    Task back;
    WorkerStats into;
    CHECK_THROWS_AS(
        wire::decode_outcome(reencoded(outcome_bytes(), edits[i]), back, into, received_names()),
        wire::WireError);
  }
  const std::string task = wire::encode_task(solved_task());
  CHECK_THROWS_AS(wire::decode_task(reencoded(task, [](json &j) { j["done"][1] = 0.0; })),
                  wire::WireError);
  CHECK_THROWS_AS(
      wire::decode_task(reencoded(task, [](json &j) { j["content"]["puzzles"][0][2] = 1e10; })),
      wire::WireError);
}

TEST_CASE("a refused outcome leaves the task and the counters as they were", "[crawl][wire]") {
  Task t = solved_task();
  WorkerStats s = spent_stats();
  // Everything is right but the last field read.
  const std::string bytes = reencoded(outcome_bytes(), [](json &j) { j["error"] = json::array(); });
  CHECK_THROWS_AS(wire::decode_outcome(bytes, t, s, received_names()), wire::WireError);
  CHECK(t.content.work.size() == 3);
  CHECK(t.unit_done == std::vector<char>{1, 0, 1});
  CHECK(t.attempts == 3);
  CHECK(s.requests == 11);
  CHECK(s.events.size() == 3);
}

TEST_CASE("nesting without end and lengths without bytes are refused, not followed",
          "[crawl][wire]") {
  // {"id": [[[ ... 0 ... ]]]}: a million levels. nlohmann's reader recurses
  // once per level: followed, it would overflow the stack.
  const std::string deep = "\xa1\x62id" + std::string(1'000'000, '\x81') + '\0';
  CHECK_THROWS_AS(wire::decode_task(deep), wire::WireError);
  Task back;
  WorkerStats into;
  CHECK_THROWS_AS(wire::decode_outcome(deep, back, into, received_names()), wire::WireError);
  // Nesting deep enough to be ours, and one level more than allowed.
  const auto nested = [](int levels) {
    return "\xa1\x62id" + std::string(static_cast<size_t>(levels), '\x81') + "\x61x";
  };
  CHECK_THROWS_WITH(wire::decode_task(nested(31)), Catch::Contains("type must be string"));
  CHECK_THROWS_WITH(wire::decode_task(nested(32)), Catch::Contains("nested deeper than 32"));
  // {"id": an array of 2^60 elements}: the DOM builder throws on such a
  // length even when asked not to; refused before it is asked.
  const std::string huge("\xa1\x62id\x9b\x10\0\0\0\0\0\0\0", 12);
  CHECK_THROWS_AS(wire::decode_task(huge), wire::WireError);
  const std::string huge_map("\xa1\x62id\xbb\x10\0\0\0\0\0\0\0", 12);
  CHECK_THROWS_AS(wire::decode_outcome(huge_map, back, into, received_names()), wire::WireError);
}
