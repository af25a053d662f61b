#include "server/routes.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace concur::server {
namespace {

using Json = nlohmann::ordered_json;  // keeps the protocol's field order for humans

// Error messages quote the request (its path, its method), which may be any
// bytes: invalid UTF-8 is replaced (U+FFFD) rather than thrown about. A throw
// here escaped the handler and lost the connection (found by fuzz_http_request).
std::string error_body(const std::string &message) {
  return Json{{"error", message}}.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Drops the closing brace so that per-request fields can follow.
std::string open_ended(const Json &json) {
  std::string text = json.dump();
  text.pop_back();
  return text;
}

// Appends to an Answer's fixed-size tail (time stamps: at most ~60 bytes of 96).
struct TailWriter {
  Answer &a;
  void text(std::string_view s) {
    const size_t n = std::min(s.size(), a.tail.size() - a.tail_size);
    std::copy_n(s.data(), n, a.tail.data() + a.tail_size);
    a.tail_size = static_cast<uint8_t>(a.tail_size + n);
  }
  void number(double value) {
    char *const end = a.tail.data() + a.tail.size();
    const auto r = std::to_chars(a.tail.data() + a.tail_size, end, value);
    if (r.ec == std::errc()) a.tail_size = static_cast<uint8_t>(r.ptr - a.tail.data());
  }
};

const char *link_format_name(LinkFormat format) {
  switch (format) {
    case LinkFormat::id:
      return "id";
    case LinkFormat::url:
      return "url";
    default:
      return "path";
  }
}

Json type_distribution(const Graph &graph) {
  Json out = Json::object();
  const auto counts = graph.type_counts();
  for (size_t t = 0; t < kPageTypeCount; ++t) out[kPageTypeNames[t]] = counts[t];
  return out;
}

Json puzzle_settings(const Settings &s) {
  return Json{{"hash_rule", std::string(hash::rule_name(s.hash_rule))},
              {"cpu_iterations", s.cpu_iterations},
              {"core_iterations", s.core_iterations},
              {"id_length", s.id_length}};
}

// The original profile's puzzle fields: a cpu page's "hashseeds" holds one
// seed per link, a core page's "multiseeds" one group of id_length seeds per
// link, in link order (Page::seeds is already in that order).
Json seed_lists(const Page &page) {
  Json lists = Json::array();
  const size_t per = page.links.empty() ? 0 : page.seeds.size() / page.links.size();
  for (size_t first = 0; first < page.seeds.size(); first += per) {
    if (page.type == PageType::cpu) {
      lists.push_back(page.seeds[first]);
      continue;
    }
    Json group = Json::array();
    for (size_t j = first; j < first + per; ++j) group.push_back(page.seeds[j]);
    lists.push_back(std::move(group));
  }
  return lists;
}

// `/`: what the server is and where to start.
Json index_json(const Graph &g) {
  const Settings &s = g.settings();
  return Json{{"name", "Web Graph Server"},
              {"description",
               "A generated web graph for crawling experiments: start at "
               "/api/ and follow the links."},
              {"total_pages", g.pages().size()},
              {"links", {"/api/" + g.page(g.first()).id}},
              {"puzzle", puzzle_settings(s)},
              {"seed", s.seed}};
}

// `/api/`, without its closing time stamp.
Json root_json(const Graph &g) {
  return Json{{"page_id", "root"},
              {"page_type", "root"},
              {"links", {g.page(g.first()).id}},
              {"link_count", 1},
              {"message", "Welcome to the web graph: start crawling here."},
              {"total_pages_in_graph", g.pages().size()},
              {"page_type_distribution", type_distribution(g)},
              {"url", "/api/"}};
}

// `/api/cheat/`: every page's type and links; counts the links on the way.
std::string cheat_text(const Graph &g, size_t &link_total) {
  // A sorted (std::map) object: ordered_json's insertion-ordered map is a
  // vector searched linearly, which made this quadratic (28 s for 100k pages).
  nlohmann::json cheat = nlohmann::json::object();
  for (const Page &page : g.pages()) {
    nlohmann::json links = nlohmann::json::array();
    for (uint32_t to : page.links) links.push_back(g.page(to).id);
    link_total += page.links.size();
    cheat[page.id] = {{"page_type", page_type_name(page.type)}, {"links", std::move(links)}};
  }
  return cheat.dump();
}

// `/graph/stats`: the graph, the settings it was served with, how it was built.
Json stats_json(const Graph &g, size_t link_total) {
  const Settings &s = g.settings();
  Json delays = Json::object(), shares = Json::object();
  for (size_t t = 0; t < kPageTypeCount; ++t) {
    delays[kPageTypeNames[t]] = s.delays_ms[t];
    shares[kPageTypeNames[t]] = s.shares[t];
  }
  const BuildStats &built = g.build_stats();
  return Json{{"profile", profile_name(s.profile)},
              {"total_pages", g.pages().size()},
              {"total_links", link_total},
              {"page_type_distribution", type_distribution(g)},
              {"seed", s.seed},
              {"extra_edges", s.extra_edges},
              {"shares", shares},
              {"delays_ms", delays},
              {"delay_scale", s.delay_scale},
              {"failure_rate", s.failure_rate},
              {"link_format", link_format_name(s.link_format)},
              {"max_connections", s.max_connections},
              {"idle_timeout_s", s.idle_timeout_s},
              {"puzzle", puzzle_settings(s)},
              {"build",
               {{"seconds", built.seconds},
                {"puzzle_cache", cache_outcome_name(built.cache)},
                {"puzzles_made", built.puzzles_made},
                {"chain_steps", built.chain_steps}}}};
}

}  // namespace

Routes::Routes(std::shared_ptr<const Graph> graph)
    : settings_(graph->settings()),
      graph_(std::move(graph)),
      rng_(mix64(graph_->settings().seed ^ 0x7365727665722e31ULL)),
      by_type_(kPageTypeCount),
      request_counts_(new std::atomic<uint64_t>[graph_->pages().size()]),
      ok_counts_(new std::atomic<uint32_t>[graph_->pages().size()]) {
  const Settings &s = graph_->settings();
  for (size_t t = 0; t < kPageTypeCount; ++t)
    delays_[t] = std::chrono::microseconds(std::llround(s.delays_ms[t] * s.delay_scale * 1000));
  for (uint32_t i = 0; i < graph_->pages().size(); ++i) {
    by_type_[static_cast<size_t>(graph_->page(i).type)].push_back(i);
    shuffled_.push_back(i);
  }
  reset_request_counts();
  prepare("");
}

Routes::Routes(const Settings &settings, std::shared_ptr<const Startup> startup)
    : settings_(settings), startup_(std::move(startup)), rng_(0) {}

void Routes::take_over(Routes &&ready) {
  Metrics counted = std::move(metrics_);
  *this = std::move(ready);
  metrics_ = std::move(counted);
}

Answer Routes::starting() const {
  const Startup::Snapshot progress = startup_ ? startup_->snapshot() : Startup::Snapshot{};
  Answer a;
  a.status = 503;
  a.retry_after_s = retry_after_s(progress);
  a.body = starting_body(progress);
  return a;
}

void Routes::reset_request_counts() {
  if (!graph_) return;
  for (size_t i = 0; i < graph_->pages().size(); ++i) {
    request_counts_[i].store(0);
    ok_counts_[i].store(0);
  }
}

std::vector<uint32_t> Routes::page_requests() const {
  if (!graph_) return {};
  std::vector<uint32_t> counts(graph_->pages().size());
  for (size_t i = 0; i < counts.size(); ++i)
    counts[i] = static_cast<uint32_t>(request_counts_[i].load(std::memory_order_relaxed));
  return counts;
}

std::vector<uint32_t> Routes::page_answers_ok() const {
  if (!graph_) return {};
  std::vector<uint32_t> counts(graph_->pages().size());
  for (size_t i = 0; i < counts.size(); ++i)
    counts[i] = ok_counts_[i].load(std::memory_order_relaxed);
  return counts;
}

double Routes::unix_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

void Routes::prepare(const std::string &base_url) {
  if (!graph_) return;
  render_pages(base_url);
  render_statics();
}

void Routes::render_pages(const std::string &base_url) {
  const Settings &s = graph_->settings();
  const bool original = s.profile == Profile::original;
  page_bodies_.clear();
  for (const Page &page : graph_->pages()) {
    Json json{{"page_id", page.id}, {"page_type", page_type_name(page.type)}};
    if (original && (page.type == PageType::cpu || page.type == PageType::core)) {
      json[page.type == PageType::cpu ? "hashseeds" : "multiseeds"] = seed_lists(page);
    } else if (page.type == PageType::cpu) {
      json["hashseed"] = page.seeds.at(0);
    } else if (page.type == PageType::core) {
      Json seeds = Json::object();
      for (size_t j = 0; j < page.seeds.size(); ++j) seeds[std::to_string(j + 1)] = page.seeds[j];
      json["hashseed"] = seeds;
    } else {
      Json links = Json::array();
      for (uint32_t to : page.links) {
        const std::string &id = graph_->page(to).id;
        if (s.link_format == LinkFormat::id)
          links.push_back(id);
        else if (s.link_format == LinkFormat::url)
          links.push_back(base_url + "/api/" + id);
        else
          links.push_back("/api/" + id);
      }
      json["links"] = links;
    }
    json["link_count"] = page.links.size();
    json["url"] = "/api/" + page.id;
    json["delay_ms"] = static_cast<double>(delays_[static_cast<size_t>(page.type)].count()) / 1000;
    page_bodies_.push_back(open_ended(json));
  }
}

void Routes::render_statics() {
  const Graph &g = *graph_;
  index_body_ = index_json(g).dump();
  root_body_ = open_ended(root_json(g));
  health_body_ = Json{{"status", "ok"}, {"total_pages", g.pages().size()}}.dump();
  size_t link_total = 0;
  cheat_body_ = cheat_text(g, link_total);
  stats_body_ = stats_json(g, link_total).dump();
}

Answer Routes::answer(std::string_view method, std::string_view target) {
  if (!graph_) return starting();
  Answer a;
  if (method != "GET" && method != "HEAD") {
    a.status = 405;
    a.method_not_allowed = true;
    a.body = error_body("Method " + std::string(method) + " not allowed");
    return a;
  }
  const size_t mark = target.find('?');
  const std::string_view path = target.substr(0, mark);
  const std::string_view query = mark == target.npos ? "" : target.substr(mark + 1);
  const bool course = graph_->settings().profile == Profile::course;
  if (path.starts_with("/api/") && path.size() > 5 && path != "/api/cheat/" &&
      !path.starts_with("/api/test/"))
    return page(path.substr(5), unix_now());  // the hot path first
  if (path == "/api" || path == "/api/") {
    a.label = kLabelRoot;
    a.fixed = &root_body_;
    TailWriter w{a};
    w.text(",\"requested_at\":");
    w.number(unix_now());
    w.text("}");
  } else if (path == "/") {
    a.fixed = &index_body_;
  } else if (path == "/api/cheat/") {
    a.fixed = &cheat_body_;
  } else if (path == "/metrics") {
    a.body = metrics_.render(graph_->pages().size());
    a.content_type = "text/plain; version=0.0.4; charset=utf-8";
  } else if (path == "/graph/random") {
    return redirect(static_cast<uint32_t>(rng_.below(graph_->pages().size())));
  } else if (path.starts_with("/api/test/")) {
    return random_of_type(path.substr(10));
  } else if (course && path == "/health") {  // the original has none of these three
    a.fixed = &health_body_;
  } else if (course && path == "/graph/stats") {
    a.fixed = &stats_body_;
  } else if (course && path == "/graph/sample") {
    return sample(query);
  } else {
    a.status = 404;
    a.body = error_body("Not found: " + std::string(path));
  }
  return a;
}

Answer Routes::page(std::string_view id, double requested_at) {
  Answer a;
  const auto index = graph_->find(id);
  if (!index) {
    a.status = 404;
    a.body = error_body("Page " + std::string(id) + " not found");
    return a;
  }
  const Page &p = graph_->page(*index);
  a.delay = delays_[static_cast<size_t>(p.type)];
  a.label = static_cast<uint8_t>(p.type);
  // Counted on arrival, so the k-th request to reach the server is the k-th.
  const uint64_t k = request_counts_[*index].fetch_add(1) + 1;
  if (p.type == PageType::failure && failure_request_fails(graph_->settings(), p.id, k)) {
    a.status = 500;
    a.body = "{\"error\":\"Failure page " + p.id + " failed (simulated error)\"}";  // hex id
    return a;
  }
  ok_counts_[*index].fetch_add(1, std::memory_order_relaxed);
  a.fixed = &page_bodies_[*index];
  a.stamp = true;
  a.requested_at = requested_at;
  return a;
}

void Routes::finish(Answer &a) {
  if (!a.stamp) return;
  a.stamp = false;
  TailWriter w{a};
  w.text(",\"generated_at\":");
  w.number(unix_now());
  w.text(",\"requested_at\":");
  w.number(a.requested_at);
  w.text("}");
}

Answer Routes::redirect(uint32_t page) const {
  Answer a;
  a.status = 307;
  a.location = "/api/" + graph_->page(page).id;
  return a;
}

Answer Routes::random_of_type(std::string_view name) {
  const auto type = parse_page_type(name);
  const auto *pages = type ? &by_type_[static_cast<size_t>(*type)] : nullptr;
  if (pages == nullptr || pages->empty()) {
    Answer a;
    a.status = 404;
    a.body = error_body(type ? "No pages of type " + std::string(name)
                             : "Unknown page type " + std::string(name));
    return a;
  }
  return redirect((*pages)[rng_.below(pages->size())]);
}

// `?size=k` (default 20, at most 1000 and the page count): a partial
// Fisher-Yates over a kept permutation, which stays a uniform permutation.
Answer Routes::sample(std::string_view query) {
  Answer a;
  uint64_t size = 20;
  for (size_t start = 0; start <= query.size();) {
    size_t end = query.find('&', start);
    if (end == query.npos) end = query.size();
    const std::string_view pair = query.substr(start, end - start);
    if (pair.starts_with("size=")) {
      const std::string_view value = pair.substr(5);
      const auto parsed = std::from_chars(value.data(), value.data() + value.size(), size);
      if (parsed.ec != std::errc() || parsed.ptr != value.data() + value.size()) {
        a.status = 400;
        a.body = error_body("size must be a non-negative integer");
        return a;
      }
    }
    start = end + 1;
  }
  size = std::min<uint64_t>({size, 1000, shuffled_.size()});
  Json ids = Json::array();
  for (size_t i = 0; i < size; ++i) {
    std::swap(shuffled_[i], shuffled_[i + rng_.below(shuffled_.size() - i)]);
    ids.push_back(graph_->page(shuffled_[i]).id);
  }
  a.body = Json{{"page_ids", ids}}.dump();
  return a;
}

}  // namespace concur::server
