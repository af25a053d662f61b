// A tiny HTTP client for the server tests: libcurl for well-formed requests,
// a raw socket for the bytes curl would never send.
#pragma once

#include <curl/curl.h>

#include <string>
#include <vector>

namespace concur::test {

struct Reply {
  long status = 0;
  std::string body;
  std::string headers;       // raw header block(s), lower-cased names kept as sent
  long new_connections = 0;  // CURLINFO_NUM_CONNECTS: 0 when a connection was reused
  double seconds = 0;

  std::string header(const std::string &name) const;  // "" when absent
};

class Client {
 public:
  Client();
  ~Client();
  Client(const Client &) = delete;
  Client &operator=(const Client &) = delete;

  Reply get(const std::string &url, const std::vector<std::string> &headers = {});
  Reply head(const std::string &url);
  Reply post(const std::string &url, const std::string &data);

 private:
  Reply perform();
  CURL *curl_;
};

// Sends `request` as is and returns everything the server sends until it
// closes the connection.
std::string raw_exchange(int port, const std::string &request);

// A raw loopback connection, for clients that misbehave on purpose. Reads
// give up after 10 s: a bound on a broken test, not a pause.
class RawSocket {
 public:
  explicit RawSocket(int port);
  ~RawSocket();
  RawSocket(const RawSocket &) = delete;
  RawSocket &operator=(const RawSocket &) = delete;

  int fd() const { return fd_; }
  void send_all(const std::string &bytes);
  // One whole response (headers and Content-Length body); "" if the server
  // closed first.
  std::string read_response();
  // True once the server has closed the connection (reads until EOF).
  bool closed_by_server();
  // Has the server sent or closed anything yet? Does not wait.
  bool quiet_now() const;

 private:
  int fd_;
  std::string pending_;
};

}  // namespace concur::test
