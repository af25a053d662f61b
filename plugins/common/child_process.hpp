// Forked worker processes, for the strategies that fork (processes, async's
// `executor: processes`): a child joined to its parent by a socketpair, over
// which the host's wire services (send_task, receive_outcome ...) carry pages.
//
// Header-only and plugin-side, like solver_pool.hpp: POSIX calls only, not
// even the host table.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace concur_plugins {

// Where a child keeps its end of the socketpair.
inline constexpr int kChildFd = 3;

// Forks a child that runs child_main(kChildFd) and never returns to the
// caller's code (it is _exit()ed should child_main return). The child keeps
// stdio and its socket only: other children's sockets left open there would
// hide their deaths from the parent, and copies of the parent's sockets (an
// embedded server's connections) would keep them from ever closing. Fork
// before starting threads of your own.
//
// Parent: true with the child's pid and the parent's end of the socketpair;
// false with errno set when socketpair or fork failed (nothing left open).
template <typename ChildMain>
bool fork_child(pid_t &pid, int &fd, ChildMain &&child_main) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return false;
  const pid_t child = fork();
  if (child < 0) {
    close(fds[0]);
    close(fds[1]);
    return false;
  }
  if (child == 0) {
    if (dup2(fds[1], kChildFd) < 0) _exit(1);
    close_range(kChildFd + 1, ~0u, 0);
    child_main(kChildFd);
    // _exit: the parent's atexit handlers and buffered streams are not ours to flush.
    _exit(0);
  }
  close(fds[1]);
  pid = child;
  fd = fds[0];
  return true;
}

// Waits for a child to exit (close its socket first, so that it does).
inline void wait_for_child(pid_t pid) {
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace concur_plugins
