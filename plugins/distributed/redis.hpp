// A small C++ face on hiredis (Debian's libhiredis-dev): one connection, one
// thread, commands as argument vectors (binary-safe: task bytes are CBOR),
// replies owned by RAII, errors as exceptions. Pipelining: append() several
// commands, then read() their replies in order — one round trip.
#pragma once

#include <hiredis/hiredis.h>

#include "endpoint.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace concur::distributed {

struct ReplyFree {
  void operator()(redisReply *r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

class Redis {
 public:
  // Connects within 5 s, authenticates and selects the database; a reply
  // taking longer than `timeout_ms` is an error (so a dead server cannot hang
  // a run). Throws RedisError; RedisAccessError when the server refuses the
  // credentials or wants some.
  explicit Redis(const Endpoint &endpoint, int timeout_ms = 10'000);
  ~Redis();
  Redis(const Redis &) = delete;
  Redis &operator=(const Redis &) = delete;

  // One command, its reply. An error reply is returned, not thrown: the
  // caller knows which errors it expects (NOGROUP when a run ended).
  Reply command(const std::vector<std::string_view> &args);
  void append(const std::vector<std::string_view> &args);
  Reply read();

 private:
  [[noreturn]] void fail(const std::string &what) const;
  void authenticate(const Endpoint &endpoint);
  std::string url_;  // without the password
  redisContext *c_ = nullptr;
};

// Helpers for the replies we read.
inline std::string_view text(const redisReply *r) {
  return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
               r->type == REDIS_REPLY_ERROR)
             ? std::string_view(r->str, r->len)
             : std::string_view();
}
inline bool is_error(const redisReply *r) {
  return r && r->type == REDIS_REPLY_ERROR;
}

// A stream entry as XREAD, XREADGROUP and XAUTOCLAIM return it.
struct Entry {
  std::string id;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string_view field(std::string_view name) const;
};
// The entries of a reply [[stream, [entries...]], ...] (XREAD) or of one
// entry list (XAUTOCLAIM's second element); nil gives none.
std::vector<Entry> stream_entries(const redisReply *reply);
std::vector<Entry> entry_list(const redisReply *list);

}  // namespace concur::distributed
