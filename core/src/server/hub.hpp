// Private to the server: the Asio types and what the I/O thread owns, shared
// by the listener and the Server object (server.cpp) and the connections
// (connection.cpp). Those two are the only files that include Asio (~15 s to
// compile with Beast); the answers themselves live in routes.cpp.
#pragma once

#include <utility>  // before any Asio header: Boost 1.74 Asio misses it under g++ 12 C++20

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <unordered_set>

#include "server/routes.hpp"

namespace concur::server::io {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
// The io_context's own executor rather than the type-erased any_io_executor:
// every async operation would otherwise copy and dispatch through it.
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Acceptor = asio::basic_socket_acceptor<tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Executor>;
using Clock = std::chrono::steady_clock;

class Connection;

// Everything the I/O thread owns; only that thread touches it while it runs.
struct Hub {
  explicit Hub(std::shared_ptr<const Graph> graph) : routes(std::move(graph)) {}
  Hub(const Settings &settings, std::shared_ptr<const Startup> startup)
      : routes(settings, std::move(startup)) {}

  void accept();
  void on_accept_error(const error_code &ec);
  void reopen_spare();
  int refuse_one();
  void close_all();

  asio::io_context ioc{1};  // first: destroyed after the sockets and timers
  Routes routes;
  std::optional<Acceptor> acceptor;
  Timer retry{ioc.get_executor()};
  std::unordered_set<Connection *> connections;
  size_t max_connections = 1;
  bool stopping = false;
  bool accepting = false;
  // Held so that, out of descriptors, one is free to accept a connection and
  // refuse it (libev's and nginx's trick); -1 while given up.
  int spare_fd = -1;
};

// connection.cpp. Serves an accepted socket until the client leaves, the idle
// deadline passes or the server stops; the connection is in hub.connections
// (a max_connections slot) for as long as it lives, and resumes accepting
// when it ends.
void start_connection(Hub &hub, Socket socket);
// Closes its socket and timers: its pending handlers end (stop).
void close_connection(Connection &connection);

}  // namespace concur::server::io
