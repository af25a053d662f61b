// One client's connection: reading a request (Beast's parser, with its
// limits), asking Routes for the answer, waiting out the page's delay, writing
// the answer, and the idle deadline over all of it. With server.cpp, the only
// translation unit with Beast/Asio in it (~15 s to compile).
#include <utility>  // before any Asio header: Boost 1.74 Asio misses it under g++ 12 C++20

#include <boost/beast/core/flat_buffer.hpp>
// g++ 12 with -fsanitize=address sees a boost::optional in Beast's parser
// (content_length) as maybe uninitialized: a known false positive.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop
#include <array>
#include <charconv>
#include <iostream>
#include <optional>
#include <string>

#include "server/hub.hpp"

namespace concur::server::io {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr size_t kHeaderLimit = 8 * 1024;
constexpr uint64_t kBodyLimit = 4 * 1024;
constexpr auto kLinger = std::chrono::seconds(1);
// Per connection, what the kernel may hold of answers the client has not
// read. Linux autotunes it up to 4 MB: 100 clients that pipeline requests
// and never read held 377 MB of kernel memory (scripts/bench-hostile.sh).
// Linux caps what is asked at net.core.wmem_max (208 KB by default) and
// doubles it. Our largest answers (/api/cheat/ of a big graph) still go out,
// in rounds.
constexpr int kSendBuffer = 256 * 1024;

}  // namespace

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Hub &hub, Socket socket)
      : hub_(hub),
        socket_(std::move(socket)),
        timer_(hub.ioc.get_executor()),
        deadline_(hub.ioc.get_executor()) {
    head_.reserve(256);
    hub_.connections.insert(this);
    Metrics &m = hub_.routes.metrics();
    ++m.connections_accepted;
    m.connections_peak = std::max(m.connections_peak, ++m.connections_open);
  }
  ~Connection() {
    Metrics &m = hub_.routes.metrics();
    --m.connections_open;
    if (in_flight_) --m.in_flight;
    hub_.connections.erase(this);
    hub_.accept();  // resumes accepting if max_connections had paused it
  }

  void read();
  void close() {
    error_code ignored;
    socket_.close(ignored);
    timer_.cancel();
    deadline_.cancel();
  }

 private:
  void on_read(error_code ec);
  void refuse(http::status status, const std::string &message);
  void write();
  void on_write(error_code ec);
  void linger();
  void drain();
  void render_head();
  void arm_deadline();
  void wait_deadline();
  void disarm_deadline() { deadline_at_ = Clock::time_point::max(); }
  void begin_request();

  Hub &hub_;
  Socket socket_;
  Timer timer_;
  // Bounds how long the client may take to send a request or take an answer
  // (idle_timeout_s); never armed during the page's own delay. Arming and
  // disarming only move deadline_at_: the timer waits lazily and, when it
  // fires early, waits again for the moved deadline, so a request costs no
  // timer-queue work and no cancelled handler.
  Timer deadline_;
  Clock::time_point deadline_at_ = Clock::time_point::max();  // max: disarmed
  bool deadline_waiting_ = false;
  Clock::time_point read_at_;
  bool in_flight_ = false;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Answer answer_;
  // The answer goes out as one gathered write: the status line and headers
  // (head_, its capacity kept between requests), then the body's parts.
  std::string head_;
  std::array<asio::const_buffer, 4> out_;
  unsigned version_ = 11;
  bool head_only_ = false;
  bool keep_alive_ = false;
  bool refused_ = false;
};

void Connection::read() {
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(kBodyLimit);
  arm_deadline();
  http::async_read(socket_, buffer_, *parser_,
                   [self = shared_from_this()](error_code ec, size_t) { self->on_read(ec); });
}

void Connection::arm_deadline() {
  const double seconds = hub_.routes.settings().idle_timeout_s;
  if (seconds <= 0) return;
  deadline_at_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(seconds));
  if (!deadline_waiting_) wait_deadline();
}

// The handler holds only a weak reference: a waiting deadline must not keep a
// finished connection (and its max_connections slot) alive.
void Connection::wait_deadline() {
  deadline_waiting_ = true;
  deadline_.expires_at(deadline_at_);
  deadline_.async_wait([weak = weak_from_this()](error_code ec) {
    const auto self = weak.lock();
    if (!self) return;
    self->deadline_waiting_ = false;
    // Disarmed: the next arm_deadline() waits again.
    if (ec || self->hub_.stopping || self->deadline_at_ == Clock::time_point::max()) return;
    if (Clock::now() < self->deadline_at_) return self->wait_deadline();  // moved on since
    ++self->hub_.routes.metrics().connections_timed_out;
    self->close();
  });
}

void Connection::begin_request() {
  disarm_deadline();
  read_at_ = Clock::now();
  if (!in_flight_) ++hub_.routes.metrics().in_flight;
  in_flight_ = true;
}

void Connection::on_read(error_code ec) {
  if (hub_.stopping || ec == asio::error::operation_aborted) return;
  if (ec == http::error::header_limit)
    // Beast hands the request line to the message (and drops its bytes) as
    // soon as it is whole: no target yet means the line itself was too long.
    return !parser_->get().target().empty()
               ? refuse(http::status::request_header_fields_too_large, "Request header too large")
               : refuse(http::status::uri_too_long, "Request line too long");
  if (ec == http::error::body_limit)
    return refuse(http::status::payload_too_large, "Request body too large");
  // The client left (end_of_stream, partial_message) or the socket failed:
  // nobody to answer. Any other parser error is a malformed request.
  if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
      (ec && ec.category() != http::make_error_code(http::error::bad_method).category()))
    return;
  if (ec) return refuse(http::status::bad_request, "Malformed request");

  begin_request();
  const auto &request = parser_->get();
  head_only_ = request.method() == http::verb::head;
  keep_alive_ = request.keep_alive();
  version_ = request.version();
  const auto method = request.method_string();
  const auto target = request.target();
  try {
    answer_ = hub_.routes.answer({method.data(), method.size()}, {target.data(), target.size()});
  } catch (const std::exception &e) {  // a bug: this client gets a 500, the others go on
    std::cerr << "concur server: " << e.what() << '\n';
    in_flight_ = false;
    --hub_.routes.metrics().in_flight;  // refuse() begins the request again
    return refuse(http::status::internal_server_error, "Internal server error");
  }
  if (answer_.delay.count() <= 0) return write();
  timer_.expires_after(answer_.delay);
  timer_.async_wait([self = shared_from_this()](error_code wait_ec) {
    if (!wait_ec && !self->hub_.stopping) self->write();
  });
}

void Connection::refuse(http::status status, const std::string &message) {
  begin_request();
  refused_ = true;
  head_only_ = false;
  keep_alive_ = false;
  version_ = 11;
  answer_ = Answer{};
  answer_.status = static_cast<int>(status);
  answer_.body = "{\"error\":\"" + message + "\"}";  // fixed texts: nothing to escape
  write();
}

void Connection::write() {
  Routes::finish(answer_);
  Metrics &metrics = hub_.routes.metrics();
  ++metrics.requests[{answer_.label, answer_.status}];
  if (answer_.label < kPageTypeCount) {
    const auto late = Clock::now() - read_at_ - answer_.delay;
    metrics.record_delay_error(std::chrono::duration<double, std::milli>(late).count());
  }
  render_head();
  out_ = {asio::buffer(head_), asio::const_buffer(), asio::const_buffer(), asio::const_buffer()};
  if (!head_only_) {  // HEAD: Content-Length stays what GET would send, no body
    if (answer_.fixed) out_[1] = asio::buffer(*answer_.fixed);
    out_[2] = asio::buffer(answer_.body);
    out_[3] = asio::buffer(answer_.tail.data(), answer_.tail_size);
  }
  arm_deadline();
  asio::async_write(socket_, out_, [self = shared_from_this()](error_code ec, size_t bytes) {
    self->hub_.routes.metrics().bytes_sent += bytes;
    self->on_write(ec);
  });
}

// What Beast's serializer wrote for these responses, without its generality.
void Connection::render_head() {
  auto number = [this](uint64_t n) {
    char buf[24];
    head_.append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
  };
  const auto status = static_cast<unsigned>(answer_.status);
  head_.assign(version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  number(status);
  head_ += ' ';
  const auto reason = http::obsolete_reason(http::int_to_status(status));
  head_.append(reason.data(), reason.size());
  head_ += "\r\nServer: concur\r\n";
  if (answer_.status == 307) {
    head_ += "Location: ";
    head_ += answer_.location;
  } else {
    head_ += "Content-Type: ";
    head_ += answer_.content_type;
  }
  if (answer_.method_not_allowed) head_ += "\r\nAllow: GET, HEAD";
  if (answer_.retry_after_s > 0) {
    head_ += "\r\nRetry-After: ";
    number(answer_.retry_after_s);
  }
  head_ += "\r\nContent-Length: ";
  number(answer_.size());
  if (version_ == 10 && keep_alive_)
    head_ += "\r\nConnection: keep-alive";
  else if (version_ != 10 && !keep_alive_)
    head_ += "\r\nConnection: close";
  head_ += "\r\n\r\n";
}

void Connection::on_write(error_code ec) {
  disarm_deadline();
  if (in_flight_) --hub_.routes.metrics().in_flight;
  in_flight_ = false;
  if (ec || hub_.stopping) return;  // the last handle going closes the socket
  if (refused_) return linger();
  if (keep_alive_) return read();
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
}

// After refusing a request, read what the client is still sending for a
// moment: closing with unread data would reset the connection and the client
// might lose our answer.
void Connection::linger() {
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  buffer_.consume(buffer_.size());
  timer_.expires_after(kLinger);
  timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (!ec) self->close();
  });
  drain();
}

void Connection::drain() {
  socket_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](error_code ec, size_t) {
                            if (!ec && !self->hub_.stopping) return self->drain();
                            self->timer_.cancel();
                          });
}

void start_connection(Hub &hub, Socket socket) {
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  socket.set_option(asio::socket_base::send_buffer_size(kSendBuffer), ignored);
  std::make_shared<Connection>(hub, std::move(socket))->read();
}

void close_connection(Connection &connection) {
  connection.close();
}

}  // namespace concur::server::io
