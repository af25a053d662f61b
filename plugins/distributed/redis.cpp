#include "redis.hpp"

#include <sys/time.h>

namespace concur::distributed {

Endpoint parse_url(const std::string &url) {
  const std::string scheme = "redis://";
  if (url.compare(0, scheme.size(), scheme) != 0)
    throw RedisError("'" + url + "' is not a redis://HOST[:PORT] URL");
  std::string rest = url.substr(scheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  Endpoint e;
  const auto colon = rest.rfind(':');
  e.host = rest.substr(0, colon);
  if (colon != std::string::npos) {
    const std::string port = rest.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos)
      throw RedisError("'" + url + "': bad port '" + port + "'");
    e.port = std::stoi(port);
  }
  if (e.host.empty() || e.port < 1 || e.port > 65535 || e.host.find('/') != std::string::npos)
    throw RedisError("'" + url + "' is not a redis://HOST[:PORT] URL");
  return e;
}

Redis::Redis(const std::string &url, int timeout_ms) : url_(url) {
  const Endpoint e = parse_url(url);
  c_ = redisConnectWithTimeout(e.host.c_str(), e.port, timeval{5, 0});
  if (c_ == nullptr) throw RedisError("redis " + url + ": cannot allocate a connection");
  if (c_->err) {
    const std::string why = c_->errstr;
    redisFree(c_);
    c_ = nullptr;
    throw RedisError("redis " + url + ": " + why);
  }
  redisSetTimeout(c_, timeval{timeout_ms / 1000, (timeout_ms % 1000) * 1000});
}

Redis::~Redis() {
  if (c_ != nullptr) redisFree(c_);
}

void Redis::fail(const std::string &what) const {
  throw RedisError("redis " + url_ + ": " + what + ": " + (c_->err ? c_->errstr : "no reply"));
}

void Redis::append(const std::vector<std::string_view> &args) {
  std::vector<const char *> argv;
  std::vector<size_t> lengths;
  for (auto a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  if (redisAppendCommandArgv(c_, static_cast<int>(argv.size()), argv.data(), lengths.data()) !=
      REDIS_OK)
    fail(std::string(args.empty() ? "" : args[0]));
}

Reply Redis::read() {
  void *reply = nullptr;
  if (redisGetReply(c_, &reply) != REDIS_OK || reply == nullptr) fail("reading a reply");
  return Reply(static_cast<redisReply *>(reply));
}

Reply Redis::command(const std::vector<std::string_view> &args) {
  append(args);
  return read();
}

std::string_view Entry::field(std::string_view name) const {
  for (const auto &[key, value] : fields)
    if (key == name) return value;
  return {};
}

std::vector<Entry> entry_list(const redisReply *list) {
  std::vector<Entry> entries;
  if (list == nullptr || list->type != REDIS_REPLY_ARRAY) return entries;
  for (size_t i = 0; i < list->elements; ++i) {
    const redisReply *e = list->element[i];
    // XAUTOCLAIM lists an entry deleted meanwhile as [id, nil]: skip it.
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2) continue;
    const redisReply *kv = e->element[1];
    if (kv->type != REDIS_REPLY_ARRAY) continue;
    Entry entry{std::string(text(e->element[0])), {}};
    for (size_t k = 0; k + 1 < kv->elements; k += 2)
      entry.fields.emplace_back(text(kv->element[k]), text(kv->element[k + 1]));
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<Entry> stream_entries(const redisReply *reply) {
  std::vector<Entry> entries;
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) return entries;
  for (size_t s = 0; s < reply->elements; ++s) {
    const redisReply *stream = reply->element[s];
    if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2) continue;
    auto part = entry_list(stream->element[1]);
    entries.insert(entries.end(), std::make_move_iterator(part.begin()),
                   std::make_move_iterator(part.end()));
  }
  return entries;
}

}  // namespace concur::distributed
