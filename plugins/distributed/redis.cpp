#include "redis.hpp"

#include <sys/time.h>

#include <string>

namespace concur::distributed {

Redis::Redis(const Endpoint &endpoint, int timeout_ms) : url_(endpoint.shown()) {
  c_ = redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, timeval{5, 0});
  if (c_ == nullptr) throw RedisError("redis " + url_ + ": cannot allocate a connection");
  if (c_->err) {
    const std::string why = c_->errstr;
    redisFree(c_);
    c_ = nullptr;
    throw RedisError("redis " + url_ + ": " + why);
  }
  redisSetTimeout(c_, timeval{timeout_ms / 1000, (timeout_ms % 1000) * 1000});
  try {
    authenticate(endpoint);
  } catch (...) {
    redisFree(c_);
    c_ = nullptr;
    throw;
  }
}

// AUTH when there is a password, then SELECT (or PING): a server that wants
// a password says NOAUTH here, at once, rather than at the run's first page.
void Redis::authenticate(const Endpoint &endpoint) {
  if (!endpoint.password.empty()) {
    std::vector<std::string_view> auth = {"AUTH"};
    if (!endpoint.user.empty()) auth.push_back(endpoint.user);
    auth.push_back(endpoint.password);
    const Reply reply = command(auth);
    if (is_error(reply.get()))
      throw RedisAccessError("redis " + url_ + ": the server refused the credentials: " +
                             std::string(text(reply.get())));
  }
  const std::string db = std::to_string(endpoint.db);
  const Reply reply = endpoint.db != 0 ? command({"SELECT", db}) : command({"PING"});
  const std::string_view error = is_error(reply.get()) ? text(reply.get()) : "";
  if (error.rfind("NOAUTH", 0) == 0)
    throw RedisAccessError(
        "redis " + url_ +
        ": the server wants a password: give it in the URL "
        "(redis://USER:PASSWORD@HOST), a password file or CONCUR_REDIS_PASSWORD");
  if (!error.empty()) throw RedisAccessError("redis " + url_ + ": " + std::string(error));
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
