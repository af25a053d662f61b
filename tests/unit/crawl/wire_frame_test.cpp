// Frames on a stream file descriptor (crawl/wire.cpp): bytes arrive whole,
// a clean end of stream is nullopt, and a frame too long, cut short or
// written to a closed peer is a WireError — never a hang or a SIGPIPE.
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdint>
#include <string>
#include <string_view>

#include "crawl/wire.hpp"

using namespace concur;
namespace wire = crawl::wire;

namespace {

// A socket pair, closed on scope exit (either end may be closed before).
struct Pair {
  int fd[2] = {-1, -1};
  Pair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fd) == 0); }
  ~Pair() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
  void close_end(int i) {
    ::close(fd[i]);
    fd[i] = -1;
  }
  void send_raw(std::string_view bytes) {
    REQUIRE(::write(fd[0], bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  }
};

std::string header(uint32_t n) {
  return {static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
          static_cast<char>((n >> 16) & 0xff), static_cast<char>(n >> 24)};
}

}  // namespace

TEST_CASE("frames carry bytes whole, the empty frame too; end of stream is nullopt",
          "[crawl][wire]") {
  Pair p;
  crawl::Task task;
  task.page_id = "ab12";
  const results::PageNames names;
  const std::string outcome = wire::encode_outcome(task, {}, names, "server unreachable");
  wire::write_frame(p.fd[0], outcome);
  wire::write_frame(p.fd[0], "");
  p.close_end(0);
  const auto first = wire::read_frame(p.fd[1]);
  REQUIRE(first.has_value());
  CHECK(*first == outcome);
  const auto empty = wire::read_frame(p.fd[1]);
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
  CHECK_FALSE(wire::read_frame(p.fd[1]).has_value());
}

TEST_CASE("frames work over a pipe too", "[crawl][wire]") {
  int fd[2];
  REQUIRE(::pipe(fd) == 0);
  wire::write_frame(fd[1], "over a pipe");
  ::close(fd[1]);
  const auto frame = wire::read_frame(fd[0]);
  CHECK((frame && *frame == "over a pipe"));
  CHECK_FALSE(wire::read_frame(fd[0]).has_value());
  ::close(fd[0]);
}

TEST_CASE("a frame longer than the limit is refused before its body is read", "[crawl][wire]") {
  Pair p;
  p.send_raw(header((64u << 20) + 1));  // and no body: reading one would block
  CHECK_THROWS_AS(wire::read_frame(p.fd[1]), wire::WireError);
  Pair q;
  q.send_raw(header(0xffffffffu));
  CHECK_THROWS_AS(wire::read_frame(q.fd[1]), wire::WireError);
  CHECK_THROWS_AS(wire::write_frame(q.fd[0], std::string((64u << 20) + 1, 'x')), wire::WireError);
}

TEST_CASE("a frame cut short is refused, in its header or its body", "[crawl][wire]") {
  Pair in_header;
  in_header.send_raw(header(10).substr(0, 2));
  in_header.close_end(0);
  CHECK_THROWS_AS(wire::read_frame(in_header.fd[1]), wire::WireError);
  Pair in_body;
  in_body.send_raw(header(10) + "abc");
  in_body.close_end(0);
  CHECK_THROWS_AS(wire::read_frame(in_body.fd[1]), wire::WireError);
}

namespace {
volatile std::sig_atomic_t sigpipes = 0;
void count_sigpipe(int) {
  sigpipes = sigpipes + 1;
}
}  // namespace

TEST_CASE("writing to a closed peer is a WireError, without SIGPIPE", "[crawl][wire]") {
  // Counted rather than fatal, so a SIGPIPE fails this test instead of the binary.
  struct sigaction counting {
  }, old{};
  counting.sa_handler = count_sigpipe;
  sigemptyset(&counting.sa_mask);
  REQUIRE(::sigaction(SIGPIPE, &counting, &old) == 0);
  sigpipes = 0;
  Pair p;
  p.close_end(1);
  CHECK_THROWS_AS(wire::write_frame(p.fd[0], "anyone there?"), wire::WireError);
  ::sigaction(SIGPIPE, &old, nullptr);
  CHECK(sigpipes == 0);
}
