// The checks behind a run's `validity`, on rows made by hand: each reason
// appears exactly when its condition holds, and only the failing ones fail.
#include <catch2/catch.hpp>

#include "experiment/validity.hpp"

using namespace concur;
using results::Event;

namespace {

// What the events below name pages by.
const std::shared_ptr<results::PageNames> &names() {
  static const auto table = std::make_shared<results::PageNames>();
  return table;
}

Event request(const std::string &page, long status) {
  return {.kind = Event::Kind::request,
          .page = names()->intern(page).first,
          .attempt = 1,
          .end_s = 0.001,
          .status = status,
          .bytes = 10};
}

Event solve(const std::string &page, double cpu_s) {
  return {.kind = Event::Kind::solve,
          .page = names()->intern(page).first,
          .end_s = cpu_s,
          .cpu_s = cpu_s};
}

// A completed page, named in names().
results::PageRecord page(const std::string &id, const std::string &type,
                         std::initializer_list<std::string_view> links) {
  return {names()->intern(id).first, names()->type_index(type), results::LinkList(links)};
}

results::RunResult crawl_row() {
  results::RunResult r;
  r.wall_s = 1;
  r.cores = 2;
  r.start = "aaaa";
  r.pages = {page("aaaa", "", {})};
  r.pages_ok = 1;
  r.events = {request("aaaa", 200)};
  r.names = names();
  return r;
}

}  // namespace

TEST_CASE("a valid run says ok", "[validity]") {
  auto r = crawl_row();
  experiment::judge(r, {});
  CHECK(r.validity_text() == "ok");
  CHECK(r.ok());
  CHECK(r.coverage < 0);  // no known graph: unknown
}

TEST_CASE("client_bound: the runner's CPU less the solving threads' over wall", "[validity]") {
  auto r = crawl_row();
  r.cpu_user_s = 1.9;  // 1.9 of 2 cores for 1 s
  auto busy = r;
  experiment::judge(busy, {});
  CHECK(busy.validity_text() == "client_bound");
  CHECK(busy.ok());  // flagged, not failed
  // The same CPU spent solving is the work itself.
  r.events.push_back(solve("aaaa", 1.5));
  experiment::judge(r, {});
  CHECK(r.validity_text() == "ok");
}

TEST_CASE("server_mismatch: the server's count beyond the unanswered requests", "[validity]") {
  auto r = crawl_row();
  r.server_requests = 1;
  r.server_errors = 0;
  auto agree = r;
  experiment::judge(agree, {});
  CHECK(agree.validity_text() == "ok");
  r.server_requests = 3;  // two requests the runner never sent: another client
  experiment::judge(r, {});
  CHECK(r.validity_text() == "server_mismatch");
  CHECK(r.ok());
}

TEST_CASE("wrong_puzzle_rule: a solved link answering 404 fails the run, naming the fix",
          "[validity]") {
  results::RunResult r = crawl_row();
  r.start = "a1b2c3";
  r.pages = {page("a1b2c3", "cpu", {"ffff"})};
  r.events = {request("a1b2c3", 200), request("ffff", 404)};
  r.give_ups = r.pages_failed = 1;  // a 404 is not retried: its page gives up
  crawl::CrawlSettings s;
  s.puzzle.id_length = 4;  // crawled as the course's, against 6-character ids
  experiment::judge(r, s);
  CHECK(r.validity_text() == "wrong_puzzle_rule");
  CHECK_FALSE(r.ok());
  CHECK_THAT(r.error, Catch::Contains("this server looks like profile: original"));
  // A 404 of a plain link is not the puzzle rule's fault.
  results::RunResult plain = crawl_row();
  plain.events.push_back(request("ffff", 404));
  plain.pages = {page("aaaa", "", {"ffff"})};
  plain.give_ups = plain.pages_failed = 1;
  experiment::judge(plain, s);
  CHECK(plain.validity_text() == "ok");
}

TEST_CASE("coverage counts the pages reachable from the start in the known graph", "[validity]") {
  auto graph = std::make_shared<results::KnownGraph>();
  graph->links = {{"aaaa", {"bbbb"}}, {"bbbb", {"cccc"}}, {"cccc", {}}, {"dddd", {"aaaa"}}};
  CHECK(experiment::reachable_pages(*graph, "aaaa") == 3);  // dddd is not below aaaa
  CHECK(experiment::reachable_pages(*graph, "dddd") == 4);
  CHECK(experiment::reachable_pages(*graph, "zzzz") == 0);
  crawl::CrawlSettings s;
  s.graph = graph;
  s.start_id = "aaaa";
  auto r = crawl_row();
  r.give_ups = 1;
  r.page_failures = {{"http_500", 1}};
  experiment::judge(r, s);
  CHECK(r.coverage == Approx(1.0 / 3));
  CHECK(r.validity_text() == "incomplete (1/3)");
  CHECK(r.ok());  // lost to the failure tail: flagged, not failed
  CHECK_THAT(r.validity.at(0).detail, Catch::Contains("1 page gave up (http_500=1)"));
  s.max_pages = 2;  // a limited crawl: coverage not known
  auto limited = crawl_row();
  experiment::judge(limited, s);
  CHECK(limited.coverage < 0);
  CHECK(limited.validity_text() == "ok");
}

TEST_CASE("pages_missed: found pages neither completed nor given up on fail the run",
          "[validity]") {
  crawl::CrawlSettings s;
  s.start_id = "aaaa";
  // aaaa links to bbbb and cccc; bbbb was completed, cccc never fetched.
  auto r = crawl_row();
  r.pages = {page("aaaa", "regular", {"bbbb", "cccc"}), page("bbbb", "regular", {})};
  r.pages_ok = 2;
  experiment::judge(r, s);
  CHECK(r.validity_text() == "pages_missed: 1");
  CHECK_FALSE(r.ok());
  CHECK_THAT(r.error, Catch::Contains("1 page the run knew of") &&
                          Catch::Contains("not completed (e.g. cccc) and 0 failed"));

  auto gave_up = crawl_row();  // the same, cccc given up on: the failure tail
  gave_up.pages = r.pages;
  gave_up.pages_ok = 2;
  gave_up.give_ups = gave_up.pages_failed = 1;
  experiment::judge(gave_up, s);
  CHECK(gave_up.validity_text() == "ok");
  CHECK(gave_up.ok());

  auto nothing = crawl_row();  // an outside program that fetched nothing at all
  nothing.pages.clear();
  nothing.pages_ok = 0;
  nothing.events.clear();
  nothing.program = "true";
  experiment::judge(nothing, s);
  CHECK(nothing.validity_text() == "pages_missed: 1");
  CHECK_FALSE(nothing.ok());

  s.max_pages = 2;  // a limited crawl leaves pages behind by design
  auto limited = crawl_row();
  limited.pages = r.pages;
  limited.pages_ok = 2;
  experiment::judge(limited, s);
  CHECK(limited.ok());
  CHECK(limited.validity_text() == "ok");
}
