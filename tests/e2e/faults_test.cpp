// Faults the runner must survive with its results intact (issue "Hardening"):
// the disk refusing the results, and the runner itself killed mid-experiment.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "report/csv_reader.hpp"
#include "support/cli.hpp"

using concur::test::Sandbox;
using concur::test::slurp;

namespace {

const char *kLab =
    "name: f\n"
    "server: {pages: 40, delay_scale: 0.02, cpu_iterations: 2000, core_iterations: 500}\n"
    "strategies:\n  - {plugin: threads, workers: 4}\n";

}  // namespace

TEST_CASE("a full disk is a clear error and exit 1", "[e2e][faults]") {
  Sandbox box;
  const auto config = box.write("f.yaml", kLab);
  // /dev/full takes the open and refuses every write with ENOSPC.
  const auto r = box.concur("run -q " + config.string() + " -o /dev/full");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("cannot write /dev/full: No space left on device"));
}

TEST_CASE("a disk that fills mid-row: the half row is cut off, the error named, exit 1",
          "[e2e][faults]") {
  Sandbox box;
  const auto config = box.write("f.yaml", std::string(kLab) + "repeat: 30\n");
  const auto csv = box.path("runs.csv");
  // A file size limit makes the disk "full" partway through a row: the write
  // takes what fits, the next one fails (EFBIG; SIGXFSZ ignored).
  constexpr rlim_t kLimit = 4000;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{kLimit, kLimit};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    if (!freopen(box.path("err.log").c_str(), "w", stderr)) _exit(126);
    execl(CONCUR_BUILD_DIR "/concur", "concur", "run", "-q", config.c_str(), "-o", csv.c_str(),
          static_cast<char *>(nullptr));
    _exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK_THAT(slurp(box.path("err.log")),
             Catch::Contains("cannot write " + csv.string() + ": File too large"));
  const std::string text = slurp(csv);
  CHECK(text.size() < kLimit);  // the partial row was cut back
  REQUIRE(!text.empty());
  CHECK(text.back() == '\n');
  const auto table = concur::report::parse_csv(text, csv.string());
  CHECK(table.rows.size() >= 1);  // the rows that fitted, whole
}

TEST_CASE("the runner SIGKILLed mid-experiment leaves whole rows only", "[e2e][faults]") {
  Sandbox box;
  const auto config = box.write("f.yaml", std::string(kLab) + "repeat: 200\n");
  const auto csv = box.path("runs.csv");
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (!freopen(box.path("err.log").c_str(), "w", stderr)) _exit(126);
    execl(CONCUR_BUILD_DIR "/concur", "concur", "run", "-q", config.c_str(), "-o", csv.c_str(),
          static_cast<char *>(nullptr));
    _exit(127);
  }
  // Kill it once three runs are written: a condition on the file, not a time.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  size_t lines = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = slurp(csv);
    lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    if (lines >= 4) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(lines >= 4);
  CHECK(WIFSIGNALED(status));
  const std::string text = slurp(csv);
  REQUIRE(!text.empty());
  CHECK(text.back() == '\n');  // no half line at the end
  // Every line whole: the reader refuses a row with another number of fields.
  const auto table = concur::report::parse_csv(text, csv.string());
  CHECK(table.rows.size() >= 3);
  for (const auto &row : table.rows) CHECK(row.at(table.column("status")) == "ok");
}
