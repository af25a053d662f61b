// http::failure_kind, page by page against the hostile test server: each way
// an answer can go wrong gets its own word (e2e_hostile checks the totals a
// crawl reports; this checks that no two ways are confused).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <string>

#include "http/client.hpp"
#include "support/hostile_server.hpp"

using concur::http::failure_kind;
using concur::test::HostileServer;

TEST_CASE("failure_kind names what went wrong with each hostile page", "[http]") {
  HostileServer server;
  // Pages that stall need a short timeout to end; pages that send a lot (an
  // endless body up to the size limit, 10 MB) a long one, or under TSan on a
  // busy machine they time out before they are whole.
  concur::http::Client client(2000), patient(60'000);
  for (const auto &[page, why] : HostileServer::failing()) {
    INFO(page);
    const bool stalls = why == "timeout";
    const auto r = (stalls ? client : patient).get(server.base_url() + "/api/" + page);
    if (why == "bad_page") {  // good HTTP; the body is what is wrong (the crawl's parser says so)
      CHECK(r.status == 200);
      continue;
    }
    CHECK_FALSE(r.ok());
    CHECK(failure_kind(r) == why);
  }
  for (const auto &page : HostileServer::fine()) {
    INFO(page);
    CHECK(patient.get(server.base_url() + "/api/" + page).ok());
  }
}

TEST_CASE("failure_kind: nothing listening is 'refused', a status is http_<status>", "[http]") {
  // A bound socket that does not listen: its port refuses connections.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) == 0);
  concur::http::Client client(2000);
  const auto r = client.get("http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/");
  ::close(fd);
  CHECK(failure_kind(r) == "refused");

  HostileServer server;
  CHECK(failure_kind(client.get(server.base_url() + "/api/nosuchpage")) == "http_404");
}
