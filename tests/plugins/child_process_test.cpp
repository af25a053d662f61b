// plugins/common/child_process.hpp, the fork both forking strategies share:
// what a child keeps, and that its end of the socketpair reaches the parent.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <vector>

#include "child_process.hpp"

namespace {

// Everything the child sends until it exits (end of stream).
std::vector<unsigned char> read_all(int fd) {
  std::vector<unsigned char> got;
  unsigned char buf[256];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0) break;
    got.insert(got.end(), buf, buf + n);
  }
  return got;
}

}  // namespace

TEST_CASE("a forked child keeps stdio and its socket only", "[plugins][child_process]") {
  int stray[2];  // without O_CLOEXEC: fork alone would hand it to the child
  REQUIRE(pipe(stray) == 0);
  pid_t pid = -1;
  int fd = -1;
  const bool forked = concur_plugins::fork_child(pid, fd, [](int child_fd) {
    unsigned char open[64];  // the child's open descriptors below 64, one byte each
    size_t count = 0;
    for (int i = 0; i < 64; ++i)
      if (fcntl(i, F_GETFD) != -1) open[count++] = static_cast<unsigned char>(i);
    open[count++] = static_cast<unsigned char>(child_fd);
    if (write(child_fd, open, count) != static_cast<ssize_t>(count)) _exit(2);
  });
  close(stray[0]);
  close(stray[1]);
  REQUIRE(forked);
  REQUIRE(pid > 0);
  const auto got = read_all(fd);  // ends when the child has exited
  concur_plugins::wait_for_child(pid);
  close(fd);
  // stdio, the socket on kChildFd, and the descriptor child_main was given.
  CHECK(got == std::vector<unsigned char>{0, 1, 2, 3, concur_plugins::kChildFd});
}
