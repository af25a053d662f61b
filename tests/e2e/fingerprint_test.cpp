// The fingerprint in every row: the machine and build that measured, and a
// run that shared the machine with other work flagged `noisy`.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "support/cli.hpp"

using concur::test::column;
using concur::test::Sandbox;
using concur::test::slurp;

namespace {

// Processes that spin on a CPU each until killed: other work on the machine.
class Spinners {
 public:
  explicit Spinners(unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
      const pid_t pid = ::fork();
      if (pid == 0) {
        for (;;) asm volatile("" ::: "memory");  // a loop the compiler must keep
      }
      if (pid > 0) pids_.push_back(pid);
    }
  }
  ~Spinners() {
    for (pid_t pid : pids_) ::kill(pid, SIGKILL);
    for (pid_t pid : pids_) ::waitpid(pid, nullptr, 0);
  }

 private:
  std::vector<pid_t> pids_;
};

}  // namespace

TEST_CASE("every row names the machine and build; other work on the machine makes it noisy",
          "[e2e][fingerprint]") {
  Sandbox box;
  // Mostly sleeping (delays), about a second: the spinners get the CPUs.
  const auto config = box.write("fp.yaml", R"(name: fp
server: {seed: 7, pages: 40, delay_scale: 0.02, failure_rate: 0, cpu_iterations: 200,
         core_iterations: 50}
strategies:
  - plugin: sequential
)");
  const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  concur::test::Outcome r;
  {
    Spinners others(cpus);  // as many as CPUs: a tenth of them is far exceeded
    r = box.concur("run -q " + config.string() + " --out " + box.path("fp.csv").string());
  }
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string csv = slurp(box.path("fp.csv"));
  CHECK_FALSE(column(csv, "cpu_model").at(0).empty());
  CHECK(column(csv, "kernel").at(0).rfind("Linux ", 0) == 0);
  CHECK_THAT(column(csv, "build").at(0), Catch::Contains(" commit "));
  CHECK_FALSE(column(csv, "load_start").at(0).empty());
  const double foreign = std::stod(column(csv, "foreign_cpu_s").at(0));
  const double wall = std::stod(column(csv, "wall_s").at(0));
  CHECK(foreign > 0.3 * wall);  // at least a third of a CPU went to the spinners
  CHECK(column(csv, "noisy").at(0) == "true");
  CHECK_THAT(r.err, Catch::Contains("1 of 1 runs shared the machine with other work"));

  // The report says where it was measured, and that a run was noisy.
  REQUIRE(box.concur("report " + box.path("fp.csv").string()).exit_code == 0);
  const std::string html = slurp(box.path("fp.html"));
  CHECK_THAT(html, Catch::Contains("Measured on ") && Catch::Contains("1 of 1 runs shared"));
}
