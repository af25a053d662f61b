// `profile: original` (PROTOCOL.md, "Profiles"): the graph it builds, the
// pages it serves, its defaults and their overrides, the cache and the YAML
// key. Tiny iteration counts throughout: the shapes, not the cost, are tested.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <queue>
#include <set>
#include <sstream>

#include "config/experiment.hpp"
#include "crawl/page.hpp"
#include "hash/md5_chain.hpp"
#include "http_client.hpp"
#include "running_server.hpp"
#include "server/graph.hpp"
#include "server/puzzle_cache.hpp"

using namespace concur::server;
using concur::hash::chain;
using concur::hash::Rule;
using concur::test::Client;
using concur::test::Running;
using Json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The original profile's defaults, then small sizes and tiny puzzles.
Settings original_settings(uint64_t seed, int pages = 150) {
  Settings s = profile_settings(Profile::original);
  s.seed = seed;
  s.pages = pages;
  s.extra_edges = 2 * pages;
  s.cpu_iterations = 40;
  s.core_iterations = 15;
  s.delay_scale = 0;
  return s;
}

bool is_puzzle(PageType t) {
  return t == PageType::cpu || t == PageType::core;
}

size_t per_link(const Settings &s, PageType t) {
  return t == PageType::cpu ? 1 : static_cast<size_t>(s.id_length);
}

// The id a puzzle's seeds chain to: a cpu seed's prefix, or the first
// characters of a core group's results.
std::string answer(const Settings &s, PageType t, const std::vector<std::string> &seeds) {
  if (t == PageType::cpu)
    return chain(seeds.at(0), s.cpu_iterations, s.hash_rule).substr(0, s.id_length);
  std::string id;
  for (const auto &seed : seeds) id += chain(seed, s.core_iterations, s.hash_rule)[0];
  return id;
}

size_t reachable_from_first(const Graph &g) {
  std::vector<char> seen(g.pages().size(), 0);
  std::queue<uint32_t> todo;
  todo.push(g.first());
  seen[g.first()] = 1;
  size_t count = 1;
  while (!todo.empty()) {
    const uint32_t at = todo.front();
    todo.pop();
    for (uint32_t to : g.page(at).links)
      if (!seen[to]) seen[to] = 1, ++count, todo.push(to);
  }
  return count;
}

void check_same(const Graph &a, const Graph &b) {
  REQUIRE(a.pages().size() == b.pages().size());
  for (uint32_t i = 0; i < a.pages().size(); ++i) {
    CHECK(a.page(i).id == b.page(i).id);
    CHECK(a.page(i).type == b.page(i).type);
    CHECK(a.page(i).links == b.page(i).links);
    CHECK(a.page(i).seeds == b.page(i).seeds);
  }
}

Json get_json(Client &client, const std::string &url, long want = 200) {
  const auto reply = client.get(url);
  REQUIRE(reply.status == want);
  return Json::parse(reply.body);
}

struct TempDir {
  TempDir() {
    std::string name = (fs::temp_directory_path() / "concur-profile-test-XXXXXX").string();
    if (::mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = name;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  fs::path path;
};

}  // namespace

TEST_CASE("profile defaults, and settings given beside them win", "[server][profile]") {
  const Settings course = profile_settings(Profile::course);
  const Settings plain_defaults;
  CHECK(course.profile == Profile::course);
  CHECK(course.id_length == plain_defaults.id_length);
  CHECK(course.hash_rule == Rule::indexed);
  CHECK(course.cpu_iterations == 50'000'000);
  CHECK(course.core_iterations == 12'500'000);
  CHECK(course.link_format == LinkFormat::path);

  const Settings original = profile_settings(Profile::original);
  CHECK(original.profile == Profile::original);
  CHECK(original.id_length == 6);
  CHECK(original.hash_rule == Rule::plain);
  CHECK(original.cpu_iterations == 5'000'000);
  CHECK(original.core_iterations == 1'250'000);
  CHECK(original.link_format == LinkFormat::id);
  CHECK(original.pages == plain_defaults.pages);  // what the profile does not imply stays

  CHECK(parse_profile("original") == Profile::original);
  CHECK(parse_profile("course") == Profile::course);
  CHECK_FALSE(parse_profile("Original"));
  CHECK(profile_name(Profile::original) == "original");

  // An override of id_length and hash_rule: the graph follows the override.
  Settings s = original_settings(21, 120);
  s.id_length = 5;
  s.hash_rule = Rule::indexed;
  const Graph g = Graph::build(s);
  size_t checked = 0;
  for (const Page &p : g.pages()) {
    CHECK(p.id.size() == 5);
    if (!is_puzzle(p.type)) continue;
    const size_t per = per_link(s, p.type);
    REQUIRE(p.seeds.size() == p.links.size() * per);
    for (size_t j = 0; j < p.links.size(); ++j, ++checked) {
      const std::vector<std::string> seeds(p.seeds.begin() + j * per,
                                           p.seeds.begin() + (j + 1) * per);
      CHECK(answer(s, p.type, seeds) == g.page(p.links[j]).id);
    }
  }
  CHECK(checked > 0);
}

TEST_CASE("original graphs: a puzzle per link, distinct targets, regular first page",
          "[server][profile]") {
  for (uint64_t seed : {1, 2, 3, 42}) {
    const Settings s = original_settings(seed);
    const Graph g = Graph::build(s);
    CHECK(g.page(g.first()).type == PageType::regular);
    CHECK(reachable_from_first(g) == g.pages().size());
    CHECK(g.type_counts() == std::array<int, 5>{90, 15, 15, 15, 15});
    std::set<uint32_t> targets;
    std::set<std::string> seeds;
    size_t seed_count = 0, links = 0, several = 0;
    for (const Page &p : g.pages()) {
      CHECK(p.id.size() == 6);
      if (!is_puzzle(p.type)) {
        CHECK(p.seeds.empty());
        continue;
      }
      CHECK_FALSE(p.links.empty());  // at default shares every puzzle page has a link
      several += p.links.size() > 1 ? 1 : 0;
      const size_t per = per_link(s, p.type);
      REQUIRE(p.seeds.size() == p.links.size() * per);
      for (size_t j = 0; j < p.links.size(); ++j) {
        CHECK(targets.insert(p.links[j]).second);  // no page is two puzzles' answer
        const std::vector<std::string> group(p.seeds.begin() + j * per,
                                             p.seeds.begin() + (j + 1) * per);
        CHECK(answer(s, p.type, group) == g.page(p.links[j]).id);
      }
      links += p.links.size();
      seeds.insert(p.seeds.begin(), p.seeds.end());
      seed_count += p.seeds.size();
    }
    CHECK(seeds.size() == seed_count);  // no two puzzles share a seed
    CHECK(targets.size() == links);
    CHECK(several > 0);  // puzzle pages do get several links
  }
}

TEST_CASE("original graphs are deterministic and differ from the course's", "[server][profile]") {
  const Graph a = Graph::build(original_settings(7));
  const Graph b = Graph::build(original_settings(7));
  check_same(a, b);
  Settings course = original_settings(7);
  course.profile = Profile::course;  // same implied values, the course's shape
  const Graph c = Graph::build(course);
  bool same_as_course = true;
  for (uint32_t i = 0; i < a.pages().size(); ++i)
    same_as_course =
        same_as_course && a.page(i).links == c.page(i).links && a.page(i).seeds == c.page(i).seeds;
  CHECK_FALSE(same_as_course);
}

TEST_CASE("original graphs built from only puzzle pages (and one regular) hold together",
          "[server][profile]") {
  auto s = original_settings(4, 40);
  s.shares = {0.025, 0, 0, 0.5, 0.475};  // 1 regular page: the first
  const Graph g = Graph::build(s);
  CHECK(g.page(g.first()).type == PageType::regular);
  std::set<uint32_t> targets;
  for (const Page &p : g.pages()) {
    if (!is_puzzle(p.type)) continue;
    CHECK(p.seeds.size() == p.links.size() * per_link(s, p.type));
    for (uint32_t to : p.links) CHECK(targets.insert(to).second);
  }
  CHECK(reachable_from_first(g) == g.pages().size());

  s.shares = {0, 0, 0, 0.5, 0.5};
  CHECK_THROWS_WITH(Graph::build(s), Catch::Contains("shares") && Catch::Contains("regular"));
}

TEST_CASE("original pages over HTTP: hashseeds, multiseeds, bare ids", "[server][profile]") {
  auto s = original_settings(99, 100);
  s.failure_rate = 0;
  Running r(s);
  Client client;
  const Json cheat = get_json(client, r.url("/api/cheat/"));
  REQUIRE(cheat.size() == 100);
  concur::crawl::PuzzleParams params{s.hash_rule, s.cpu_iterations, s.core_iterations, s.id_length};
  int cpu = 0, core = 0, multi = 0;
  for (const Page &p : r.graph->pages()) {
    const auto reply = client.get(r.url("/api/" + p.id));
    REQUIRE(reply.status == 200);
    const Json body = Json::parse(reply.body);
    CHECK(body["page_id"] == p.id);
    CHECK(body["link_count"] == p.links.size());
    CHECK_FALSE(body.contains("hashseed"));
    const Json &want = cheat[p.id]["links"];
    REQUIRE(want.size() == p.links.size());
    if (p.type == PageType::cpu) {
      ++cpu;
      CHECK_FALSE(body.contains("links"));
      CHECK_FALSE(body.contains("multiseeds"));
      const Json &seeds = body.at("hashseeds");
      REQUIRE(seeds.size() == p.links.size());
      for (size_t j = 0; j < seeds.size(); ++j)
        CHECK(chain(seeds[j].get<std::string>(), 40, Rule::plain).substr(0, 6) == want[j]);
    } else if (p.type == PageType::core) {
      ++core;
      CHECK_FALSE(body.contains("links"));
      CHECK_FALSE(body.contains("hashseeds"));
      const Json &groups = body.at("multiseeds");
      REQUIRE(groups.size() == p.links.size());
      for (size_t j = 0; j < groups.size(); ++j) {
        REQUIRE(groups[j].size() == 6);
        std::string id;
        for (const auto &seed : groups[j]) id += chain(seed.get<std::string>(), 15, Rule::plain)[0];
        CHECK(id == want[j]);
      }
    } else {
      CHECK(body["links"] == want);  // bare ids
      CHECK_FALSE(body.contains("hashseeds"));
      CHECK_FALSE(body.contains("multiseeds"));
    }
    multi += is_puzzle(p.type) && p.links.size() > 1 ? 1 : 0;
    // The crawler's own parser reads the page back to the same links.
    const auto content = concur::crawl::parse_page(reply.body, params);
    std::vector<std::string> results;
    for (const auto &unit : content.work)
      results.push_back(chain(unit.seed, unit.iterations, params.rule));
    auto found = content.links;
    const auto solved = concur::crawl::puzzle_answers(content, results, params.id_length);
    found.insert(found.end(), solved.begin(), solved.end());
    CHECK(Json(found) == want);
  }
  CHECK(cpu == 10);
  CHECK(core == 10);
  CHECK(multi > 0);
}

TEST_CASE("original endpoints: the original's three are gone, our extensions stay",
          "[server][profile]") {
  Running r(original_settings(5, 100));
  Client client;
  const std::string first = r.graph->page(r.graph->first()).id;
  CHECK(r.graph->page(r.graph->first()).type == PageType::regular);

  for (const char *path : {"/health", "/graph/sample", "/graph/sample?size=5", "/graph/stats"}) {
    const auto reply = client.get(r.url(path));
    CHECK(reply.status == 404);
    CHECK(reply.header("Content-Type") == "application/json");
    CHECK(Json::parse(reply.body).contains("error"));
  }
  const Json index = get_json(client, r.url("/"));
  CHECK(index["links"] == Json::array({"/api/" + first}));
  CHECK(index["puzzle"] == Json{{"hash_rule", "plain"},
                                {"cpu_iterations", 40},
                                {"core_iterations", 15},
                                {"id_length", 6}});
  const Json root = get_json(client, r.url("/api/"));
  CHECK(root["links"] == Json::array({first}));
  const Json first_page = get_json(client, r.url("/api/" + first));
  CHECK(first_page["page_type"] == "regular");

  CHECK(get_json(client, r.url("/api/cheat/")).size() == 100);
  const auto metrics = client.get(r.url("/metrics"));
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("concur_requests_total") != std::string::npos);
  CHECK(client.get(r.url("/graph/random")).status == 307);
  const auto cpu = client.get(r.url("/api/test/cpu"));
  REQUIRE(cpu.status == 307);
  CHECK(r.graph->page(*r.graph->find(cpu.header("Location").substr(5))).type == PageType::cpu);
  CHECK(get_json(client, r.url("/api/zzzzzz"), 404) == Json{{"error", "Page zzzzzz not found"}});
}

TEST_CASE("the course profile keeps its endpoints and shapes", "[server][profile]") {
  auto s = concur::test::quick_settings(99);
  s.id_length = 6;  // the original's id length, but the course's shape
  Running r(s);
  Client client;
  CHECK(client.get(r.url("/health")).status == 200);
  CHECK(client.get(r.url("/graph/sample")).status == 200);
  CHECK(get_json(client, r.url("/graph/stats"))["profile"] == "course");
  const Json cpu = get_json(client, r.url("/api/" + r.first_of(PageType::cpu).id));
  CHECK(cpu["hashseed"].is_string());
  CHECK_FALSE(cpu.contains("hashseeds"));
}

TEST_CASE("original puzzles are cached under a key of their own", "[server][profile]") {
  const Settings s = original_settings(8);
  Settings course = s;
  course.profile = Profile::course;
  CHECK(cache_key(s) == cache_key(course) + " profile=original");
  CHECK(cache_key(course).find("profile") == std::string::npos);  // course keys as before
  CHECK(cache_file_name(s) != cache_file_name(course));

  TempDir dir;
  std::ostringstream log;
  BuildOptions o;
  o.cache = CacheMode::always;
  o.cache_dir = dir.path.string();
  o.log = &log;
  o.tty = false;
  const Graph made = Graph::build(s, o);
  CHECK(made.build_stats().cache == CacheOutcome::miss);
  REQUIRE(made.build_stats().cache_saved);
  std::ifstream in(made.build_stats().cache_path);
  const std::string file{std::istreambuf_iterator<char>(in), {}};
  CHECK(file.find("profile=original") != std::string::npos);
  CHECK(file.find(".1 ") != std::string::npos);  // a record for a page's second link
  const Graph loaded = Graph::build(s, o);
  CHECK(loaded.build_stats().cache == CacheOutcome::hit);
  check_same(made, loaded);
  CHECK(loaded.build_stats().chain_steps == made.build_stats().chain_steps);
  // The same settings under the course profile miss: another file.
  CHECK(Graph::build(course, o).build_stats().cache == CacheOutcome::miss);
  CHECK(log.str().empty());
}

TEST_CASE("server.profile in the YAML config", "[server][profile][config]") {
  using concur::config::ConfigError;
  using concur::config::load_text;
  const std::string strategies = "strategies:\n  - plugin: sequential\n";

  const auto original = load_text("server:\n  profile: original\n" + strategies, "x.yaml");
  CHECK(original.server.profile == Profile::original);
  CHECK(original.server.id_length == 6);
  CHECK(original.server.hash_rule == Rule::plain);
  CHECK(original.server.cpu_iterations == 5'000'000);
  CHECK(original.server.core_iterations == 1'250'000);
  CHECK(original.server.link_format == LinkFormat::id);

  // Given settings win over the profile, before or after it.
  const auto overridden = load_text(
      "server:\n  cpu_iterations: 100\n  profile: original\n  hash_rule: indexed\n" + strategies,
      "x.yaml");
  CHECK(overridden.server.cpu_iterations == 100);
  CHECK(overridden.server.hash_rule == Rule::indexed);
  CHECK(overridden.server.core_iterations == 1'250'000);
  CHECK(overridden.server.id_length == 6);
  const auto set =
      load_text("server:\n  profile: original\n" + strategies, "x.yaml", {"server.id_length=5"});
  CHECK(set.server.id_length == 5);

  const auto course = load_text("server:\n  profile: course\n" + strategies, "x.yaml");
  CHECK(course.server.profile == Profile::course);
  CHECK(course.server.id_length == 4);

  // Beside base_url: it describes the running server's puzzles.
  const auto remote = load_text(
      "server:\n  base_url: http://127.0.0.1:5000\n  profile: original\n" + strategies, "x.yaml");
  CHECK(remote.server.hash_rule == Rule::plain);
  CHECK(remote.server.id_length == 6);

  try {
    load_text("server:\n  profile: newest\n" + strategies, "x.yaml");
    FAIL("no error");
  } catch (const ConfigError &e) {
    CHECK_THAT(e.what(),
               Catch::Equals("x.yaml:2: server.profile: expected one of course|original, got "
                             "'newest'"));
  }
}
