#include "crawl/wire.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

namespace concur::crawl::wire {
namespace {

using nlohmann::json;

constexpr uint32_t kMaxFrame = 64u << 20;  // a page outcome is kilobytes; 64 MiB means corruption

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
  for (const auto &g : j.at("puzzles"))
    c.puzzles.push_back({static_cast<PageContent::Puzzle>(g.at(0).get<int>()), g.at(1), g.at(2)});
  for (const auto &u : j.at("work")) c.work.push_back({u.at(0), u.at(1)});
  return c;
}

json encode_stats(const WorkerStats &s) {
  json events = json::array();
  for (const auto &e : s.events)
    events.push_back({static_cast<int>(e.kind), e.worker, e.page, e.start_s, e.end_s, e.status,
                      e.cpu_s, e.attempt, e.bytes});
  return {{"requests", s.requests}, {"retries", s.retries},         {"solves", s.solves},
          {"hedged", s.hedged},     {"give_ups", s.give_ups},       {"cancelled", s.cancelled},
          {"solve_s", s.solve_s},   {"connections", s.connections}, {"latencies", s.latencies_ms},
          {"events", events},       {"failures", s.failures}};
}

WorkerStats decode_stats(const json &j) {
  WorkerStats s;
  s.requests = j.at("requests");
  s.retries = j.at("retries");
  s.hedged = j.at("hedged");
  s.give_ups = j.at("give_ups");
  s.cancelled = j.at("cancelled");
  s.solves = j.at("solves");
  s.solve_s = j.at("solve_s");
  s.connections = j.at("connections");
  s.latencies_ms = j.at("latencies").get<std::vector<double>>();
  if (j.contains("failures")) s.failures = j.at("failures").get<std::map<std::string, long>>();
  for (const auto &e : j.at("events"))
    s.events.push_back({static_cast<results::Event::Kind>(e.at(0).get<int>()), e.at(1), e.at(2),
                        e.at(3), e.at(4), e.at(5), e.at(6), e.at(7), e.at(8)});
  return s;
}

json parse(std::string_view bytes) {
  json j = json::from_cbor(bytes, true, false);
  if (j.is_discarded()) throw WireError("malformed frame");
  return j;
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
  Task t;
  try {
    json j = parse(bytes);
    t.page_id = j.at("id");
    if (j.contains("content")) {
      t.content = decode_content(j.at("content"));
      t.results = j.at("results").get<std::vector<std::string>>();
      t.unit_done = j.at("done").get<std::vector<char>>();
      if (t.results.size() != t.content.work.size() || t.unit_done.size() != t.results.size())
        throw WireError("bad task frame: results");
      t.fetched = true;
    }
  } catch (const json::exception &e) {
    throw WireError(std::string("bad task frame: ") + e.what());
  }
  return t;
}

std::string encode_outcome(const Task &task, const WorkerStats &stats,
                           const std::string &run_error) {
  json j = {{"fetched", task.fetched},
            {"failed", task.failed},
            {"failure", task.failure},
            {"content", encode_content(task.content)},
            {"results", task.results},
            {"done", task.unit_done},
            {"stats", encode_stats(stats)},
            {"fetch", {task.latency_ms, task.attempts, task.bytes}},
            {"error", run_error}};
  auto bytes = json::to_cbor(j);
  return {bytes.begin(), bytes.end()};
}

std::string decode_outcome(std::string_view bytes, Task &task, WorkerStats &stats) {
  try {
    json j = parse(bytes);
    PageContent content = decode_content(j.at("content"));
    auto results = j.at("results").get<std::vector<std::string>>();
    auto unit_done = j.at("done").get<std::vector<char>>();
    WorkerStats spent = decode_stats(j.at("stats"));
    std::string error = j.at("error");
    task.fetched = j.at("fetched");
    task.failed = j.at("failed");
    task.failure = j.value("failure", "");  // absent from a worker older than the field
    task.content = std::move(content);
    task.results = std::move(results);
    task.unit_done = std::move(unit_done);
    const json &fetch = j.at("fetch");
    task.latency_ms = fetch.at(0);
    task.attempts = fetch.at(1);
    task.bytes = fetch.at(2);
    stats.add(std::move(spent));
    return error;
  } catch (const json::exception &e) {
    throw WireError(std::string("bad outcome frame: ") + e.what());
  }
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
