#include "http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace concur::test {
namespace {

size_t append(char *data, size_t size, size_t count, void *out) {
  static_cast<std::string *>(out)->append(data, size * count);
  return size * count;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
};

}  // namespace

std::string Reply::header(const std::string &name) const {
  const std::string wanted = lower(name) + ":";
  size_t start = 0;
  while (start < headers.size()) {
    size_t end = headers.find("\r\n", start);
    if (end == std::string::npos) end = headers.size();
    const std::string line = headers.substr(start, end - start);
    if (lower(line).rfind(wanted, 0) == 0) {
      const size_t value = line.find_first_not_of(' ', wanted.size());
      return value == std::string::npos ? "" : line.substr(value);
    }
    start = end + 2;
  }
  return "";
}

Client::Client() {
  static CurlGlobal global;
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
}

Client::~Client() {
  curl_easy_cleanup(curl_);
}

Reply Client::get(const std::string &url, const std::vector<std::string> &headers) {
  // curl_easy_reset keeps the handle's open connections, so keep-alive holds.
  curl_easy_reset(curl_);
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_slist *list = nullptr;
  for (const auto &h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
  Reply reply = perform();
  curl_slist_free_all(list);
  return reply;
}

Reply Client::head(const std::string &url) {
  curl_easy_reset(curl_);
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
  return perform();
}

Reply Client::post(const std::string &url, const std::string &data) {
  curl_easy_reset(curl_);
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, data.c_str());
  return perform();
}

Reply Client::perform() {
  Reply reply;
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, append);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &reply.headers);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 30L);
  const CURLcode rc = curl_easy_perform(curl_);
  if (rc != CURLE_OK) throw std::runtime_error(std::string("curl: ") + curl_easy_strerror(rc));
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &reply.new_connections);
  curl_easy_getinfo(curl_, CURLINFO_TOTAL_TIME, &reply.seconds);
  return reply;
}

std::string raw_exchange(int port, const std::string &request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  timeval timeout{10, 0};  // a bound, not a pause: the tests expect the server to close
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("connect failed");
  }
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may refuse before reading everything
    sent += static_cast<size_t>(n);
  }
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

RawSocket::RawSocket(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
  if (fd_ < 0) throw std::runtime_error("socket failed");
  timeval timeout{10, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    throw std::runtime_error("connect failed");
  }
}

RawSocket::~RawSocket() {
  ::close(fd_);
}

void RawSocket::send_all(const std::string &bytes) {
  for (size_t sent = 0; sent < bytes.size();) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send failed");
    sent += static_cast<size_t>(n);
  }
}

std::string RawSocket::read_response() {
  char buf[4096];
  for (;;) {
    const size_t end = pending_.find("\r\n\r\n");
    if (end != std::string::npos) {
      const std::string head = lower(pending_.substr(0, end));
      const size_t at = head.find("content-length:");
      const size_t body = at == std::string::npos ? 0 : std::stoul(head.substr(at + 15));
      if (pending_.size() >= end + 4 + body) {
        std::string response = pending_.substr(0, end + 4 + body);
        pending_.erase(0, end + 4 + body);
        return response;
      }
    }
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return "";
    pending_.append(buf, static_cast<size_t>(n));
  }
}

bool RawSocket::closed_by_server() {
  char buf[4096];
  ssize_t n = 0;
  while ((n = ::recv(fd_, buf, sizeof buf, 0)) > 0) {
  }
  return n == 0;
}

bool RawSocket::quiet_now() const {
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

}  // namespace concur::test
