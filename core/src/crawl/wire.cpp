#include "crawl/wire.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "crawl/cbor.hpp"

namespace concur::crawl::wire {
namespace {

using nlohmann::json;

constexpr uint32_t kMaxFrame = kMaxMessage;  // longer means corruption

json encode_content(const PageContent &c) {
  json work = json::array(), groups = json::array();
  for (const auto &u : c.work) work.push_back({u.seed, u.iterations});
  for (const auto &g : c.puzzles) groups.push_back({static_cast<int>(g.kind), g.first, g.count});
  return {{"id", c.page_id},
          {"type", c.page_type},
          {"links", c.links},
          {"puzzles", groups},
          {"work", work}};
}

PageContent decode_content(const json &j) {
  PageContent c;
  c.page_id = j.at("id");
  c.page_type = j.at("type");
  c.links = j.at("links").get<std::vector<std::string>>();
  for (const auto &u : cbor::array(j.at("work")))
    c.work.push_back({u.at(0), cbor::integer<uint64_t>(u.at(1))});
  for (const auto &g : cbor::array(j.at("puzzles"))) {
    const PageContent::PuzzleGroup group{cbor::enumerator(g.at(0), PageContent::Puzzle::core),
                                         cbor::integer<size_t>(g.at(1)),
                                         cbor::integer<size_t>(g.at(2))};
    // As parse_page makes them: a group's units are the page's.
    if (group.first > c.work.size() || group.count > c.work.size() - group.first)
      throw cbor::Error("a puzzle group beyond the page's work");
    c.puzzles.push_back(group);
  }
  return c;
}

json encode_stats(const WorkerStats &s, const results::PageNames &names) {
  json events = json::array();
  for (const auto &e : s.events)
    events.push_back({static_cast<int>(e.kind), e.worker, names.name(e.page), e.start_s, e.end_s,
                      e.status, e.cpu_s, e.attempt, e.bytes, e.wait_s});
  return {{"requests", s.requests},      {"retries", s.retries},
          {"solves", s.solves},          {"hedged", s.hedged},
          {"give_ups", s.give_ups},      {"cancelled", s.cancelled},
          {"solve_s", s.solve_s},        {"connections", s.connections},
          {"latencies", s.latencies_ms}, {"events", events},
          {"failures", s.failures},      {"connect_failures", s.connect_failures}};
}

// An event as encode_stats wrote it, its page by name; `page` gets the name.
results::Event decode_event(const json &e, std::string &page) {
  page = e.at(2);
  return {.kind = cbor::enumerator(e.at(0), results::Event::Kind::solve),
          .worker = cbor::integer<int>(e.at(1)),
          .attempt = cbor::integer<int>(e.at(7)),
          .start_s = e.at(3),
          .end_s = e.at(4),
          .status = cbor::integer<long>(e.at(5)),
          .cpu_s = e.at(6),
          .bytes = cbor::integer<long>(e.at(8)),
          .wait_s = e.size() > 9 ? static_cast<double>(e.at(9)) : 0.0};
}

// Events' pages are named, as pages are in this process, once all of `j` was read.
WorkerStats decode_stats(const json &j, results::PageNames &names) {
  WorkerStats s;
  s.requests = cbor::integer<long>(j.at("requests"));
  s.retries = cbor::integer<long>(j.at("retries"));
  s.hedged = cbor::integer<long>(j.at("hedged"));
  s.give_ups = cbor::integer<long>(j.at("give_ups"));
  s.cancelled = cbor::integer<long>(j.at("cancelled"));
  s.solves = cbor::integer<long>(j.at("solves"));
  s.solve_s = j.at("solve_s");
  s.connections = cbor::integer<long>(j.at("connections"));
  s.latencies_ms = j.at("latencies").get<std::vector<double>>();
  if (j.contains("connect_failures"))
    s.connect_failures = cbor::integer<long>(j.at("connect_failures"));
  if (j.contains("failures")) {
    const json &failures = j.at("failures");
    if (!failures.is_object()) throw cbor::Error("failures are not a map");
    for (const auto &[kind, count] : failures.items())
      s.failures[kind] = cbor::integer<long>(count);
  }
  std::vector<std::string> pages;
  for (const auto &e : cbor::array(j.at("events"))) {
    pages.emplace_back();
    s.events.push_back(decode_event(e, pages.back()));
  }
  for (size_t i = 0; i < pages.size(); ++i) s.events[i].page = names.intern(pages[i]).first;
  return s;
}

// Results and flags, one per work unit, as interpret() makes them.
void check_units(const Task &t, const char *frame) {
  if (t.results.size() != t.content.work.size() || t.unit_done.size() != t.results.size())
    throw WireError(std::string("bad ") + frame + " frame: results");
}

// Runs a decoder; what the bytes cannot give is a WireError naming the frame.
template <typename Decode>
auto decoding(const char *frame, std::string_view bytes, Decode decode) {
  if (bytes.size() > kMaxMessage)
    throw WireError(std::string("a ") + frame + " of " + std::to_string(bytes.size()) +
                    " bytes: more than the limit of " + std::to_string(kMaxMessage));
  try {
    return decode();
  } catch (const json::exception &e) {
    throw WireError(std::string("bad ") + frame + " frame: " + e.what());
  } catch (const cbor::Error &e) {
    throw WireError(std::string("bad ") + frame + " frame: " + e.what());
  }
}

// Full transfers despite short writes/reads and signals.
void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == ENOTSOCK) w = ::write(fd, p, n);  // a pipe (SIGPIPE is the caller's)
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) throw WireError(std::string("write: ") + std::strerror(errno));
    p += w;
    n -= static_cast<size_t>(w);
  }
}

// Returns the bytes read: less than n only at end of stream.
size_t read_all(int fd, char *p, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, p + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw WireError(std::string("read: ") + std::strerror(errno));
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return got;
}

}  // namespace

std::string encode_task(const Task &task) {
  json j = {{"id", task.page_id}};
  // An interpreted page travels with its work, so that a child only solves it
  // (async's process executor); a fresh one is just an id to fetch.
  if (task.fetched && !task.failed) {
    j["content"] = encode_content(task.content);
    j["results"] = task.results;
    j["done"] = task.unit_done;
  }
  auto bytes = json::to_cbor(j);
  return {bytes.begin(), bytes.end()};
}

Task decode_task(std::string_view bytes) {
  return decoding("task", bytes, [&] {
    const json j = cbor::parse(bytes);
    Task t;
    t.page_id = j.at("id");
    if (j.contains("content")) {
      t.content = decode_content(j.at("content"));
      t.results = j.at("results").get<std::vector<std::string>>();
      t.unit_done = cbor::flags(j.at("done"));
      check_units(t, "task");
      t.fetched = true;
    }
    return t;
  });
}

std::string encode_outcome(const Task &task, const WorkerStats &stats,
                           const results::PageNames &names, const std::string &run_error) {
  json j = {{"fetched", task.fetched},
            {"failed", task.failed},
            {"failure", task.failure},
            {"content", encode_content(task.content)},
            {"results", task.results},
            {"done", task.unit_done},
            {"stats", encode_stats(stats, names)},
            {"fetch", {task.latency_ms, task.attempts, task.bytes}},
            {"error", run_error}};
  auto bytes = json::to_cbor(j);
  return {bytes.begin(), bytes.end()};
}

std::string decode_outcome(std::string_view bytes, Task &task, WorkerStats &stats,
                           results::PageNames &names) {
  // Everything is read before `task` or `stats` change: refused bytes leave both as they were.
  Task got;
  WorkerStats spent;
  std::string error = decoding("outcome", bytes, [&] {
    const json j = cbor::parse(bytes);
    got.content = decode_content(j.at("content"));
    got.results = j.at("results").get<std::vector<std::string>>();
    got.unit_done = cbor::flags(j.at("done"));
    check_units(got, "outcome");
    spent = decode_stats(j.at("stats"), names);
    got.fetched = j.at("fetched");
    got.failed = j.at("failed");
    got.failure = j.value("failure", "");  // absent from a worker older than the field
    const json &fetch = cbor::array(j.at("fetch"));
    got.latency_ms = fetch.at(0);
    got.attempts = cbor::integer<int>(fetch.at(1));
    got.bytes = cbor::integer<long>(fetch.at(2));
    return j.at("error").get<std::string>();
  });
  task.fetched = got.fetched;
  task.failed = got.failed;
  task.failure = std::move(got.failure);
  task.content = std::move(got.content);
  task.results = std::move(got.results);
  task.unit_done = std::move(got.unit_done);
  task.latency_ms = got.latency_ms;
  task.attempts = got.attempts;
  task.bytes = got.bytes;
  stats.add(std::move(spent));
  return error;
}

void write_frame(int fd, std::string_view bytes) {
  if (bytes.size() > kMaxFrame) throw WireError("frame too large");
  const auto n = static_cast<uint32_t>(bytes.size());
  const char header[4] = {static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                          static_cast<char>((n >> 16) & 0xff), static_cast<char>(n >> 24)};
  std::string frame(header, 4);
  frame.append(bytes);  // one write: a reader never sees a header without its body pending
  write_all(fd, frame.data(), frame.size());
}

std::optional<std::string> read_frame(int fd) {
  unsigned char header[4];
  size_t got = read_all(fd, reinterpret_cast<char *>(header), 4);
  if (got == 0) return std::nullopt;
  if (got < 4) throw WireError("stream ended inside a frame header");
  const uint32_t n =
      header[0] | (header[1] << 8) | (header[2] << 16) | (static_cast<uint32_t>(header[3]) << 24);
  if (n > kMaxFrame) throw WireError("frame length " + std::to_string(n) + " is corrupt");
  std::string bytes(n, '\0');
  if (read_all(fd, bytes.data(), n) < n) throw WireError("stream ended inside a frame");
  return bytes;
}

}  // namespace concur::crawl::wire
