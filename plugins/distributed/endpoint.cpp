#include "endpoint.hpp"

#include <cstdlib>
#include <fstream>

namespace concur::distributed {
namespace {

constexpr size_t kMaxPassword = 4096;

// The URL as messages may show it: a password in it becomes "***".
std::string without_password(const std::string &url) {
  const auto start = url.find("://");
  if (start == std::string::npos) return url;
  const auto end = url.find('/', start + 3);
  const auto at = url.rfind('@', end);
  if (at == std::string::npos || at < start) return url;
  const auto colon = url.find(':', start + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + ":***" + url.substr(at);
}

[[noreturn]] void refuse(const std::string &url, const std::string &why) {
  throw RedisAccessError("'" + without_password(url) + "': " + why);
}

// %XX escapes (a password may hold '@', ':' or '/').
std::string percent_decoded(const std::string &url, const std::string &text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const std::string hex = text.substr(i + 1, 2);
    if (hex.size() != 2 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
      refuse(url, "a '%' not followed by two hex digits");
    out += static_cast<char>(std::strtol(hex.c_str(), nullptr, 16));
    i += 2;
  }
  return out;
}

int number(const std::string &url, const std::string &text, const char *what, int max) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos)
    refuse(url, std::string("bad ") + what + " '" + text + "'");
  const int n = std::atoi(text.c_str());
  if (n > max) refuse(url, std::string("bad ") + what + " '" + text + "'");
  return n;
}

// HOST[:PORT], HOST an IPv6 address in brackets or anything without ':'.
void parse_host(const std::string &url, const std::string &text, Endpoint &e) {
  std::string port;
  if (!text.empty() && text[0] == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) refuse(url, "an IPv6 address without its ']'");
    e.host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') refuse(url, "text after the IPv6 address");
      port = text.substr(close + 2);
      e.port = number(url, port, "port", 65535);
    }
  } else {
    const auto colon = text.find(':');
    e.host = text.substr(0, colon);
    if (colon != std::string::npos) e.port = number(url, text.substr(colon + 1), "port", 65535);
  }
  if (e.host.empty() || e.port < 1)
    refuse(url, "not a redis://[USER[:PASSWORD]@]HOST[:PORT][/DB] URL");
}

}  // namespace

Endpoint parse_url(const std::string &url) {
  if (url.rfind("rediss://", 0) == 0)
    throw RedisAccessError(
        "rediss:// (Redis over TLS) is not supported: this build's hiredis has no TLS. Encrypt "
        "with a tunnel (stunnel; docs/architecture.md, \"Distributed\") and give its local end "
        "as redis://127.0.0.1:PORT");
  const std::string scheme = "redis://";
  if (url.rfind(scheme, 0) != 0)
    refuse(url, "not a redis://[USER[:PASSWORD]@]HOST[:PORT][/DB] URL");
  std::string rest = url.substr(scheme.size());
  Endpoint e;
  const auto slash = rest.find('/');
  if (slash != std::string::npos) {
    const std::string db = rest.substr(slash + 1);
    if (!db.empty()) e.db = number(url, db, "database number", 99999);
    rest.resize(slash);
  }
  const auto at = rest.rfind('@');
  if (at != std::string::npos) {
    const std::string userinfo = rest.substr(0, at);
    const auto colon = userinfo.find(':');
    e.user = percent_decoded(url, userinfo.substr(0, colon));
    if (colon != std::string::npos) e.password = percent_decoded(url, userinfo.substr(colon + 1));
    rest = rest.substr(at + 1);
  }
  parse_host(url, rest, e);
  return e;
}

std::string Endpoint::shown() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string url = "redis://" + (user.empty() ? "" : user + "@") + (v6 ? "[" + host + "]" : host) +
                    ":" + std::to_string(port);
  return db == 0 ? url : url + "/" + std::to_string(db);
}

Endpoint with_password(Endpoint e, const std::string &password_file) {
  if (!password_file.empty()) {
    if (!e.password.empty())
      throw RedisAccessError("two passwords: one in the URL " + e.shown() +
                             " and one in the file " + password_file + "; give one");
    std::ifstream in(password_file, std::ios::binary);
    if (!in) throw RedisAccessError("cannot read the Redis password file " + password_file);
    std::getline(in, e.password);
    if (!e.password.empty() && e.password.back() == '\r') e.password.pop_back();
    if (e.password.empty())
      throw RedisAccessError("the Redis password file " + password_file +
                             " is empty: its first line is the password");
  } else if (const char *env = std::getenv("CONCUR_REDIS_PASSWORD");
             e.password.empty() && env != nullptr && *env != '\0') {
    e.password = env;
  }
  if (e.password.size() > kMaxPassword)
    throw RedisAccessError("a Redis password longer than " + std::to_string(kMaxPassword) +
                           " bytes");
  if (!e.user.empty() && e.password.empty())
    throw RedisAccessError("Redis user '" + e.user + "' (" + e.shown() +
                           ") has no password: give it in the URL, a password file or "
                           "CONCUR_REDIS_PASSWORD");
  return e;
}

}  // namespace concur::distributed
