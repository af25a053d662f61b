// A run that went wrong never says ok: each check of a run's validity, against
// a real server over loopback (the embedded one, or `concur serve`), through
// the real binary.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "report/csv_reader.hpp"
#include "support/cli.hpp"

using concur::test::Background;
using concur::test::Sandbox;
using concur::test::slurp;
using Clock = std::chrono::steady_clock;

namespace {

// Polls `path` until it holds `text` (or `limit` passed).
bool file_shows(const std::string &path, const std::string &text, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (slurp(path).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// `concur serve` on a free port, with `flags`; its base URL.
struct Served {
  Sandbox &box;
  std::string log = box.path("serve.log").string();
  Background process;
  std::string url;
  Served(Sandbox &b, std::vector<std::string> flags)
      : box(b), process(with_port(std::move(flags)), box.path("serve.log").string()) {
    REQUIRE(file_shows(log, "Ctrl-C to stop", std::chrono::seconds(60)));
    const std::string text = slurp(log);
    const auto at = text.find("on http://127.0.0.1:");
    REQUIRE(at != std::string::npos);
    url = "http://127.0.0.1:" + std::to_string(std::stoi(text.substr(at + 20)));
  }
  static std::vector<std::string> with_port(std::vector<std::string> flags) {
    flags.insert(flags.begin(), {"serve", "--port", "0"});
    return flags;
  }
};

// tests/support/original_proxy.py in front of `upstream`, with `flag`:
// --original-cheat (/api/cheat/ as {id: [ids]}) or --announce-nothing.
class OriginalProxy {
 public:
  OriginalProxy(const std::string &upstream, const std::string &flag, const std::string &out) {
    pid_ = ::fork();
    if (pid_ == 0) {
      if (!freopen(out.c_str(), "w", stdout)) _exit(126);
      execlp("python3", "python3", CONCUR_SOURCE_DIR "/tests/support/original_proxy.py",
             upstream.c_str(), flag.c_str(), static_cast<char *>(nullptr));
      _exit(127);
    }
    REQUIRE(file_shows(out, "port ", std::chrono::seconds(30)));
    url = "http://127.0.0.1:" + std::to_string(std::stoi(slurp(out).substr(5)));
  }
  ~OriginalProxy() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  OriginalProxy(const OriginalProxy &) = delete;
  OriginalProxy &operator=(const OriginalProxy &) = delete;
  std::string url;

 private:
  pid_t pid_ = -1;
};

concur::report::CsvTable read_runs(const Sandbox &box) {
  const auto path = box.path("runs.csv");
  return concur::report::parse_csv(slurp(path), path.string());
}

const char *kSmallServer =
    "server: {pages: 60, delay_scale: 0.01, cpu_iterations: 300, core_iterations: 100}\n";

}  // namespace

TEST_CASE("puzzles solved by the wrong rule: wrong_puzzle_rule, exit 1, the fix named",
          "[e2e][validity]") {
  Sandbox box;
  Served served(box, {"--profile", "original", "--pages", "60", "--delay-scale", "0.01",
                      "--cpu-iterations", "300", "--core-iterations", "100"});
  // The course's rule and id length, against the original's pages.
  const auto config =
      box.write("v.yaml", "name: v\nserver: {base_url: " + served.url +
                              ", hash_rule: indexed, id_length: 4, cpu_iterations: 300, "
                              "core_iterations: 100}\nstrategies: [{plugin: sequential}]\n");
  const auto r = box.concur("run " + config.string() + " -o " + box.path("runs.csv").string());
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("wrong_puzzle_rule") &&
                        Catch::Contains("this server looks like profile: original"));
  const auto runs = read_runs(box);
  REQUIRE(runs.rows.size() == 1);
  CHECK(runs.rows[0].at(runs.column("status")) == "failed");
  CHECK_THAT(runs.rows[0].at(runs.column("validity")), Catch::Contains("wrong_puzzle_rule"));
}

TEST_CASE("a start page that does not exist fails the run", "[e2e][validity]") {
  Sandbox box;
  const auto config = box.write(
      "v.yaml", std::string("name: v\n") + kSmallServer + "strategies: [{plugin: sequential}]\n");
  const auto r = box.concur("run " + config.string() + " --set crawl.start=abcd -o " +
                            box.path("runs.csv").string());
  CHECK(r.exit_code == 1);
  const auto runs = read_runs(box);
  REQUIRE(runs.rows.size() == 1);
  CHECK(runs.rows[0].at(runs.column("status")) == "failed");
  CHECK(runs.rows[0].at(runs.column("validity")) == "start_missing");
  CHECK_THAT(runs.rows[0].at(runs.column("error")), Catch::Contains("abcd does not exist"));
}

TEST_CASE("a complete crawl with the whole graph known: coverage 1, validity ok",
          "[e2e][validity]") {
  Sandbox box;
  const auto config = box.write(
      "v.yaml", std::string("name: v\n") + kSmallServer + "strategies: [{plugin: sequential}]\n");
  const auto r = box.concur("run " + config.string() + " -o " + box.path("runs.csv").string());
  CHECK(r.exit_code == 0);
  // retries: auto, computed and said: 6 failure pages x 0.9^83 < 0.001.
  CHECK_THAT(r.err, Catch::Contains("retries auto = 82: 6 failure pages failing 90%"));
  const auto runs = read_runs(box);
  REQUIRE(runs.rows.size() == 1);
  const auto &row = runs.rows[0];
  CHECK(row.at(runs.column("retry_limit")) == "82");
  CHECK(row.at(runs.column("validity")) == "ok");
  CHECK(row.at(runs.column("coverage")) == "1.0000");
  CHECK(row.at(runs.column("bound_basis")) == "graph");
}

TEST_CASE("a crawl that loses pages to failures says how many, in the row and under it",
          "[e2e][validity]") {
  Sandbox box;
  // Failure pages always fail: each gives up, and what only it links to is lost.
  const auto config =
      box.write("v.yaml",
                "name: v\nserver: {pages: 60, delay_scale: 0.01, cpu_iterations: 300, "
                "core_iterations: 100, failure_rate: 1}\ncrawl: {retries: 1}\n"
                "strategies: [{plugin: sequential}]\n");
  const auto r = box.concur("run " + config.string() + " -o " + box.path("runs.csv").string());
  CHECK(r.exit_code == 0);  // it did what it was asked: flagged, not failed
  const auto runs = read_runs(box);
  REQUIRE(runs.rows.size() == 1);
  const auto &row = runs.rows[0];
  CHECK(row.at(runs.column("status")) == "ok");
  CHECK(std::stod(row.at(runs.column("coverage"))) < 1);
  const std::string pages_ok = row.at(runs.column("pages_ok"));
  CHECK(row.at(runs.column("validity")) == "incomplete (" + pages_ok + "/60)");
  CHECK_THAT(r.out, Catch::Contains("incomplete (" + pages_ok + "/60): ") &&
                        Catch::Contains("gave up (http_500="));
  // The summary shows the loss too: its least coverage is the run's.
  const std::string summary = slurp(box.path("runs.summary.csv"));
  CHECK(concur::test::column(summary, "coverage_min").at(0) == row.at(runs.column("coverage")));
}

TEST_CASE("a server killed mid-experiment: that run failed, the rest skipped, not started",
          "[e2e][validity][faults]") {
  Sandbox box;
  Served served(box, {"--pages", "150", "--delay-scale", "0.02", "--cpu-iterations", "300",
                      "--core-iterations", "100"});
  const auto config = box.write("v.yaml", "name: v\nserver: {base_url: " + served.url +
                                              "}\nrepeat: 40\n"
                                              "strategies: [{plugin: threads, workers: 4}]\n");
  const auto csv = box.path("runs.csv").string();
  Background runner({"run", "-q", config.string(), "-o", csv}, box.path("run.log").string());
  // Kill the server once the first run's row is written: a condition on the file.
  REQUIRE(file_shows(csv, "\nv,", std::chrono::seconds(120)));
  served.process.signal(SIGKILL);
  REQUIRE(runner.wait(std::chrono::seconds(120)) == 1);
  CHECK_THAT(slurp(box.path("run.log")), Catch::Contains("runs were not started"));

  const auto runs = read_runs(box);
  REQUIRE(runs.rows.size() == 40);  // every planned run has its row
  size_t failed = 0;
  while (failed < runs.rows.size() && runs.rows[failed].at(runs.column("status")) == "ok") ++failed;
  REQUIRE(failed >= 1);
  REQUIRE(failed < runs.rows.size());
  const auto &dead = runs.rows[failed];
  CHECK(dead.at(runs.column("status")) == "failed");
  CHECK_THAT(dead.at(runs.column("validity")), Catch::Contains("server_unreachable"));
  CHECK(std::stol(dead.at(runs.column("connect_failures"))) > 0);
  // A refused connect is no answer: no latency sample from one (they take ~10 µs).
  const std::string p50 = dead.at(runs.column("latency_p50_ms"));
  CHECK((p50.empty() || std::stod(p50) >= 0.1));
  for (size_t i = failed + 1; i < runs.rows.size(); ++i) {
    CHECK(runs.rows[i].at(runs.column("status")) == "skipped");
    CHECK(runs.rows[i].at(runs.column("requests")) == "0");
    CHECK(runs.rows[i].at(runs.column("connect_failures")) == "0");
  }
}

TEST_CASE("the original's /api/cheat/ shape is read: a complete crawl is bounded over the graph",
          "[e2e][validity]") {
  Sandbox box;
  Served served(box, {"--profile", "original", "--pages", "60", "--delay-scale", "0.01",
                      "--cpu-iterations", "300", "--core-iterations", "100"});
  OriginalProxy proxy(served.url, "--original-cheat", box.path("proxy.out").string());
  const auto config = box.write("v.yaml", "name: v\nserver: {base_url: " + proxy.url +
                                              "}\nstrategies: [{plugin: sequential}]\n");
  const auto r = box.concur("run " + config.string() + " -o " + box.path("runs.csv").string());
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("/api/cheat/ gives the whole graph (60 pages)"));
  const auto runs = read_runs(box);
  REQUIRE(runs.rows.size() == 1);
  const auto &row = runs.rows[0];
  CHECK(row.at(runs.column("validity")) == "ok");
  CHECK(row.at(runs.column("bound_basis")) == "graph");
  CHECK(row.at(runs.column("coverage")) == "1.0000");
  CHECK(row.at(runs.column("pages_ok")) == "60");
}

TEST_CASE("a server that announces nothing, with 6-hex ids, is crawled as profile: original",
          "[e2e][validity]") {
  Sandbox box;
  Served served(box, {"--profile", "original", "--pages", "60", "--delay-scale", "0.01",
                      "--cpu-iterations", "300", "--core-iterations", "100"});
  OriginalProxy proxy(served.url, "--announce-nothing", box.path("proxy.out").string());
  // Only the lowered iterations are given: rule and id length are detected.
  const auto config = box.write("v.yaml", "name: v\nserver: {base_url: " + proxy.url +
                                              ", cpu_iterations: 300, core_iterations: 100}\n"
                                              "strategies: [{plugin: sequential}]\n");
  const auto r = box.concur("run " + config.string() + " -o " + box.path("runs.csv").string());
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("crawling it as profile: original"));
  const auto runs = read_runs(box);
  REQUIRE(runs.rows.size() == 1);
  CHECK(runs.rows[0].at(runs.column("validity")) == "ok");
  CHECK(runs.rows[0].at(runs.column("pages_ok")) == "60");
  CHECK(runs.rows[0].at(runs.column("puzzle")) == "plain/300/100/6");
}

TEST_CASE("a given profile the server contradicts is a config error naming the key",
          "[e2e][validity]") {
  Sandbox box;
  Served served(box, {"--profile", "original", "--pages", "60", "--delay-scale", "0.01",
                      "--cpu-iterations", "300", "--core-iterations", "100"});
  const auto config = box.write("v.yaml", "name: v\nserver:\n  base_url: " + served.url +
                                              "\n  profile: course\n"
                                              "strategies: [{plugin: sequential}]\n");
  const auto r = box.concur("run " + config.string() + " -o " + box.path("runs.csv").string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("v.yaml:4: server.profile:") &&
                        Catch::Contains("serves profile original"));
}
