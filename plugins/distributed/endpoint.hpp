// Where the coordinator and its workers find Redis, and who they are there:
// the URL, its password from the URL, a file or the environment (so that it
// need not show on a command line, where `ps` shows it to every user).
#pragma once

#include <stdexcept>
#include <string>

namespace concur::distributed {

class RedisError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};
// What the user must fix, not a failure of the moment: a bad URL, an
// unreadable password file, credentials the server refuses (`concur worker`
// exits 2 on it).
class RedisAccessError : public RedisError {
  using RedisError::RedisError;
};

// redis://[USER[:PASSWORD]@]HOST[:PORT][/DB] (port 6379, db 0 when left
// out; USER and PASSWORD may be %-encoded). No user: the legacy `AUTH
// PASSWORD`; a user: an ACL user, `AUTH USER PASSWORD`. rediss:// (TLS) is
// refused: Debian 12's hiredis has no TLS. Throws RedisAccessError.
struct Endpoint {
  std::string host;
  int port = 6379;
  std::string user, password;
  int db = 0;
  // For messages: the URL without its password.
  std::string shown() const;
};
Endpoint parse_url(const std::string &url);

// The endpoint with its password when the URL gives none: read from
// `password_file` when not empty (its first line), else from the environment
// variable CONCUR_REDIS_PASSWORD when set. A URL password and a file both
// given, or an unreadable or empty file, is a RedisAccessError.
Endpoint with_password(Endpoint endpoint, const std::string &password_file);

}  // namespace concur::distributed
