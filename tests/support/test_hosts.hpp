// Test hosts on this machine: network namespaces joined to this one by veth
// links, like several machines on a private network. Host i has address
// 10.A.i.2 and reaches this namespace's 10.A.i.1 (and every address here,
// through its default route). Servers that all hosts must reach bind
// gateway(0). Made with Debian's iproute2 (`ip netns`); removed when the
// fixture goes. Where namespaces are not permitted, available() is false and
// problem() names the command that failed and what it said.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

namespace concur::test {

class TestHosts {
 public:
  explicit TestHosts(int count) : prefix_("cc" + std::to_string(::getpid() % 100000)) {
    // 10.A.x.x with A from the PID: two test runs side by side do not collide.
    subnet_ = "10." + std::to_string(100 + ::getpid() % 150);
    for (int i = 0; i < count; ++i) {
      const std::string ns = name(i), here = prefix_ + "h" + std::to_string(i),
                        there = prefix_ + "n" + std::to_string(i);
      const std::string net = subnet_ + "." + std::to_string(i + 1);
      if (!sh("ip netns add " + ns)) return;  // not permitted here
      names_.push_back(ns);                   // made: removed by the destructor
      if (!sh("ip link add " + here + " type veth peer name " + there) ||
          !sh("ip link set " + there + " netns " + ns) ||
          !sh("ip addr add " + net + ".1/24 dev " + here) || !sh("ip link set " + here + " up") ||
          !sh(exec(i) + "ip addr add " + net + ".2/24 dev " + there) ||
          !sh(exec(i) + "ip link set " + there + " up") || !sh(exec(i) + "ip link set lo up") ||
          !sh(exec(i) + "ip route add default via " + net + ".1"))
        return;
    }
    ok_ = true;
  }
  ~TestHosts() {
    for (const auto &ns : names_) sh("ip netns del " + ns);  // takes its veth pair along
  }
  TestHosts(const TestHosts &) = delete;
  TestHosts &operator=(const TestHosts &) = delete;

  bool available() const { return ok_; }
  // Why not: "`COMMAND` failed (exit N): its output", empty when available.
  const std::string &problem() const { return problem_; }
  std::string name(int i) const { return prefix_ + "-" + std::to_string(i); }
  // This namespace's end of host i's link.
  std::string gateway(int i) const { return subnet_ + "." + std::to_string(i + 1) + ".1"; }
  // Runs a command inside host i: prefix it with this.
  std::string exec(int i) const { return "ip netns exec " + name(i) + " "; }
  std::vector<std::string> launcher(int i) const { return {"ip", "netns", "exec", name(i)}; }

 private:
  // Runs a command; a failure is kept in problem_ (the first one only: the
  // destructor's clean-up runs commands too).
  bool sh(const std::string &command) {
    FILE *pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return note(command, "cannot start a shell");
    std::string output;
    char buffer[256];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    const int status = ::pclose(pipe);
    if (status == 0) return true;
    while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return note(command, "exit " + std::to_string(code) + (output.empty() ? "" : ": " + output));
  }
  bool note(const std::string &command, const std::string &what) {
    if (problem_.empty()) problem_ = "`" + command + "` failed (" + what + ")";
    return false;
  }
  std::string prefix_, subnet_, problem_;
  std::vector<std::string> names_;
  bool ok_ = false;
};

}  // namespace concur::test
