// Who may drive a distributed run, end to end: a real redis-server with a
// password and the ACL users docs/architecture.md ("Distributed: who may
// drive it") documents, `concur worker` processes and the real `concur run`.
// Credentials right, wrong and missing; the password kept off the command
// line; workers that refuse a server or a kernel they were not told to trust.
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>
#include <tuple>

#include "http/client.hpp"
#include "support/cli.hpp"
#include "support/redis_server.hpp"
#include "support/skip.hpp"

using concur::test::Background;
using concur::test::column;
using concur::test::free_port;
using concur::test::RedisServer;
using concur::test::Sandbox;
using concur::test::slurp;
using Clock = std::chrono::steady_clock;

namespace {

// The documented ACLs, word for word: what each side's code sends.
const std::vector<std::string> kCoordinatorAcl = {"+ping", "+del",   "+xgroup|create", "+xadd",
                                                  "+hset", "+xread", "+xautoclaim",    "+xack"};
const std::vector<std::string> kWorkerAcl = {"+ping",  "+xrevrange", "+exists",
                                             "+xread", "+hgetall",   "+xreadgroup",
                                             "+xadd",  "+xack",      "+xclaim"};
const std::string kAdminPassword = "admin-secret-1";
const std::string kCoordinatorPassword = "coord-secret-2";
const std::string kWorkerPassword = "worker-secret-3";

// The test's own connection, as the admin (default user) once it has a password.
class Admin {
 public:
  explicit Admin(int port) : c_(redisConnect("127.0.0.1", port)) {}
  ~Admin() { redisFree(c_); }
  std::string ask(const std::vector<std::string> &args) {
    std::vector<const char *> argv;
    std::vector<size_t> len;
    for (const auto &a : args) {
      argv.push_back(a.data());
      len.push_back(a.size());
    }
    auto *r = static_cast<redisReply *>(
        redisCommandArgv(c_, static_cast<int>(argv.size()), argv.data(), len.data()));
    std::string text = r && r->str ? std::string(r->str, r->len) : "";
    if (r) freeReplyObject(r);
    return text;
  }
  void add_user(const std::string &name, const std::string &password,
                const std::vector<std::string> &commands) {
    std::vector<std::string> args = {"ACL",       "SETUSER",       name,
                                     "on",        ">" + password,  "resetkeys",
                                     "~concur:*", "resetchannels", "-@all"};
    args.insert(args.end(), commands.begin(), commands.end());
    REQUIRE(ask(args) == "OK");
  }

 private:
  redisContext *c_;
};

// Redis with a password for the default user and the two documented users.
struct SecuredRedis {
  SecuredRedis() : admin(redis.port()) {
    admin.add_user("coordinator", kCoordinatorPassword, kCoordinatorAcl);
    admin.add_user("worker", kWorkerPassword, kWorkerAcl);
    REQUIRE(admin.ask({"CONFIG", "SET", "requirepass", kAdminPassword}) == "OK");
  }
  std::string url(const std::string &user) const {
    return "redis://" + user + "@127.0.0.1:" + std::to_string(redis.port());
  }
  RedisServer redis;
  Admin admin;
};

bool eventually(const std::function<bool()> &done, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

std::string crawl_config(const std::string &redis_url, const std::string &extra = {}) {
  return "name: a\n"
         "server: {seed: 5, pages: 60, delay_scale: 0.02, cpu_iterations: 2000,\n"
         "         core_iterations: 500}\n"
         "strategies:\n"
         "  - plugin: distributed\n"
         "    redis: " +
         redis_url + "\n    local_workers: 0\n    worker_threads: 2\n    stall_s: 60\n" + extra;
}

// `concur ARGS` to its end (a limit, so that a hang fails the test rather
// than the suite's timeout): the exit code and what it wrote to stderr.
// `launcher` as Background takes it.
std::pair<int, std::string> finished(const Sandbox &box, const std::vector<std::string> &args,
                                     const std::vector<std::string> &launcher = {}) {
  static int n = 0;
  const std::string log = box.path("finished" + std::to_string(n++) + ".log").string();
  Background run(args, log, launcher);
  const int code = run.wait(std::chrono::seconds(60));
  return {code, slurp(log)};
}

std::string command_line(pid_t pid) {
  std::string words = slurp("/proc/" + std::to_string(pid) + "/cmdline");
  std::replace(words.begin(), words.end(), '\0', ' ');
  return words;
}

}  // namespace

TEST_CASE("with the documented ACL users, a run crawls; the password stays off the command line",
          "[e2e][distributed][auth]") {
  SecuredRedis secured;
  Sandbox box;
  box.write("worker.pw", kWorkerPassword + "\n");
  box.write("coordinator.pw", kCoordinatorPassword + "\n");
  // One worker reads its password from a file, the other from the environment.
  Background by_file({"worker", "--redis", secured.url("worker"), "--redis-password-file",
                      box.path("worker.pw").string(), "--id", "by-file", "--runs", "1"},
                     box.path("by-file.log").string());
  ::setenv("CONCUR_REDIS_PASSWORD", kWorkerPassword.c_str(), 1);
  Background by_env({"worker", "--redis", secured.url("worker"), "--id", "by-env", "--runs", "1"},
                    box.path("by-env.log").string());
  ::unsetenv("CONCUR_REDIS_PASSWORD");
  // Both authenticated (Redis lists their connections as user "worker"), both
  // waiting for a run: their command lines are what `ps` shows.
  REQUIRE(eventually(
      [&] {
        const std::string clients = secured.admin.ask({"CLIENT", "LIST"});
        size_t count = 0;
        for (size_t at = clients.find("user=worker"); at != std::string::npos;
             at = clients.find("user=worker", at + 1))
          ++count;
        return count >= 2;
      },
      std::chrono::seconds(30)));
  for (const Background *w : {&by_file, &by_env}) {
    const std::string words = command_line(w->pid());
    INFO(words);
    CHECK_THAT(words, Catch::Contains("worker") && !Catch::Contains(kWorkerPassword));
  }
  const auto config = box.write(
      "a.yaml",
      crawl_config(secured.url("coordinator"),
                   "    redis_password_file: " + box.path("coordinator.pw").string() + "\n"));
  const auto [code, log] =
      finished(box, {"run", "-q", config.string(), "-o", box.path("runs.csv").string()});
  INFO(log << slurp(box.path("by-file.log")) << slurp(box.path("by-env.log")));
  CHECK(code == 0);
  CHECK(by_file.wait(std::chrono::seconds(30)) == 0);
  CHECK(by_env.wait(std::chrono::seconds(30)) == 0);
  const std::string csv = slurp(box.path("runs.csv"));
  CHECK(column(csv, "status") == std::vector<std::string>{"ok"});
  CHECK(column(csv, "pages_ok") == std::vector<std::string>{"60"});
  CHECK_THAT(csv, !Catch::Contains(kCoordinatorPassword));
}

TEST_CASE("wrong or missing Redis credentials: one clear line, at once",
          "[e2e][distributed][auth]") {
  SecuredRedis secured;
  Sandbox box;
  box.write("wrong.pw", "not-the-password\n");
  const std::string port = std::to_string(secured.redis.port());
  auto [code, err] = finished(box, {"worker", "--redis", secured.url("worker"),
                                    "--redis-password-file", box.path("wrong.pw").string()});
  CHECK(code == 2);
  CHECK_THAT(err, Catch::Contains("the server refused the credentials: WRONGPASS"));
  std::tie(code, err) = finished(box, {"worker", "--redis", "redis://127.0.0.1:" + port});
  CHECK(code == 2);
  CHECK_THAT(err, Catch::Contains("the server wants a password"));
  std::tie(code, err) = finished(box, {"worker", "--redis", secured.url("worker")});
  CHECK(code == 2);
  CHECK_THAT(err, Catch::Contains("Redis user 'worker'") && Catch::Contains("has no password"));
  std::tie(code, err) = finished(box, {"worker", "--redis", "rediss://127.0.0.1:" + port});
  CHECK(code == 2);
  CHECK_THAT(err, Catch::Contains("rediss:// (Redis over TLS) is not supported") &&
                      Catch::Contains("stunnel"));
  // The coordinator: a failed run that says why.
  const auto config = box.write(
      "a.yaml", crawl_config(secured.url("coordinator"),
                             "    redis_password_file: " + box.path("wrong.pw").string() + "\n"));
  std::tie(code, err) =
      finished(box, {"run", "-q", config.string(), "-o", box.path("runs.csv").string()});
  CHECK(code == 1);
  CHECK_THAT(err, Catch::Contains("the server refused the credentials"));
  CHECK(column(slurp(box.path("runs.csv")), "status") == std::vector<std::string>{"failed"});
  const auto tls = box.write("t.yaml", crawl_config("rediss://127.0.0.1:" + port));
  std::tie(code, err) =
      finished(box, {"run", "-q", tls.string(), "-o", box.path("tls.csv").string()});
  CHECK(code == 1);
  CHECK_THAT(err, Catch::Contains("rediss:// (Redis over TLS) is not supported"));
}

TEST_CASE("a worker refuses a server and a kernel it was not told to trust; the row says why",
          "[e2e][distributed][trust]") {
  RedisServer redis;
  Sandbox box;
  // Coordinator and workers run in the sandbox: kernel paths are relative to it.
  const std::vector<std::string> in_box = {"env", "-C", box.path("").string()};
  auto run_with = [&](const std::string &name, const std::string &config,
                      const std::vector<std::string> &worker_flags) {
    std::vector<std::string> args = {"worker", "--redis", redis.url(), "--id", name, "--runs", "1"};
    args.insert(args.end(), worker_flags.begin(), worker_flags.end());
    Background worker(args, box.path(name + ".log").string(), in_box);
    const auto file = box.write(name + ".yaml", config);
    const auto outcome =
        finished(box, {"run", "-q", file.string(), "-o", box.path(name + ".csv").string()}, in_box);
    CHECK(worker.wait(std::chrono::seconds(30)) == 0);  // a refusal is not the worker's failure
    return outcome;
  };
  const std::string strategy = "strategies:\n  - {plugin: distributed, redis: \"" + redis.url() +
                               "\", local_workers: 0, stall_s: 60}\n";

  SECTION("a server on 127.0.0.2: loopback, but not what a worker allows by default") {
    const int port = free_port("127.0.0.2");
    const std::string base_url = "http://127.0.0.2:" + std::to_string(port);
    Background server(
        {"serve", "--host", "127.0.0.2", "--port", std::to_string(port), "--seed", "5", "--pages",
         "40", "--delay-scale", "0", "--cpu-iterations", "2000", "--core-iterations", "500"},
        box.path("server.log").string());
    concur::http::Client probe(1000);
    REQUIRE(eventually([&] { return probe.get(base_url + "/health").status == 200; },
                       std::chrono::seconds(60)));
    const std::string foreign = "name: f\nserver: {base_url: \"" + base_url + "\"}\n" + strategy;
    auto [code, err] = run_with("default", foreign, {});
    CHECK(code == 1);
    CHECK_THAT(err, Catch::Contains("worker default refused the run: server " + base_url +
                                    " is not one this worker may fetch from"));
    const std::string csv = slurp(box.path("default.csv"));
    CHECK(column(csv, "status") == std::vector<std::string>{"failed"});
    CHECK_THAT(csv, Catch::Contains("refused the run: server " + base_url) &&
                        Catch::Contains("--allow-host 127.0.0.2:" + std::to_string(port)));
    // Told to trust it, the same kind of worker serves it.
    std::tie(code, err) = run_with("allowed", foreign, {"--allow-host", "127.0.0.2"});
    INFO(err << slurp(box.path("allowed.log")));
    CHECK(code == 0);
    CHECK(column(slurp(box.path("allowed.csv")), "pages_ok") == std::vector<std::string>{"40"});
    server.signal(SIGTERM);
    CHECK(server.wait(std::chrono::seconds(30)) == 0);
  }

  SECTION("kernels load only from the worker's kernels folder") {
    const std::string kernels = slurp(CONCUR_SOURCE_DIR "/scripts/kernels.lua");
    concur::test::fs::create_directories(box.path("scripts"));
    concur::test::fs::create_directories(box.path("elsewhere"));
    box.write("scripts/k.lua", kernels);
    box.write("elsewhere/k.lua", kernels);
    auto compute = [&](const std::string &file) {
      return "name: c\ncompute:\n  tasks:\n    - {kernel: \"lua:" + file +
             "#prime_factors\", count: 2, args: [600851475143]}\n" + strategy;
    };
    auto [code, err] = run_with("inside", compute("scripts/k.lua"), {});
    INFO(err << slurp(box.path("inside.log")));
    CHECK(code == 0);
    CHECK(column(slurp(box.path("inside.csv")), "pages_ok") == std::vector<std::string>{"2"});
    std::tie(code, err) = run_with("outside", compute("elsewhere/k.lua"), {});
    CHECK(code == 1);
    CHECK_THAT(err, Catch::Contains("worker outside refused the run: kernel file elsewhere/k.lua "
                                    "is outside (kernels load only from scripts"));
    CHECK(column(slurp(box.path("outside.csv")), "status") == std::vector<std::string>{"failed"});
    std::tie(code, err) = run_with("climbing", compute("scripts/../elsewhere/k.lua"), {});
    CHECK(code == 1);
    CHECK_THAT(err, Catch::Contains("kernel file scripts/../elsewhere/k.lua climbs out with '..'"));
    std::tie(code, err) = run_with("absolute", compute(box.path("scripts/k.lua").string()),
                                   {"--kernels", box.path("scripts").string()});
    CHECK(code == 1);
    CHECK_THAT(err, Catch::Contains("worker absolute refused the run: kernel file") &&
                        Catch::Contains("is an absolute path"));
    CHECK_THAT(slurp(box.path("absolute.csv")), Catch::Contains("is an absolute path"));
  }
}

namespace {

// A program other than concur (stunnel), stopped by its PID when this goes.
class Program {
 public:
  Program(std::vector<std::string> words, const std::string &log) {
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char *> argv;
      for (auto &w : words) argv.push_back(w.data());
      argv.push_back(nullptr);
      if (!freopen(log.c_str(), "w", stderr)) _exit(126);
      execvp(argv[0], argv.data());
      _exit(127);
    }
  }
  ~Program() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  Program(const Program &) = delete;
  Program &operator=(const Program &) = delete;

 private:
  pid_t pid_ = -1;
};

// PING through the tunnel, authenticated, answers PONG.
bool answers_through(int port, const std::string &password) {
  redisContext *c = redisConnectWithTimeout("127.0.0.1", port, timeval{1, 0});
  if (c == nullptr || c->err) {
    if (c) redisFree(c);
    return false;
  }
  redisSetTimeout(c, timeval{1, 0});
  bool pong = false;
  if (auto *auth = static_cast<redisReply *>(redisCommand(c, "AUTH %s", password.c_str()))) {
    freeReplyObject(auth);
    if (auto *r = static_cast<redisReply *>(redisCommand(c, "PING"))) {
      pong = r->type == REDIS_REPLY_STATUS && std::string(r->str) == "PONG";
      freeReplyObject(r);
    }
  }
  redisFree(c);
  return pong;
}

}  // namespace

// Its own ctest entry (e2e_distributed_auth_stunnel): skipped where Debian's
// stunnel4 is not installed (scripts/install-deps.sh installs it).
TEST_CASE("the documented stunnel recipe carries a run to Redis over TLS",
          "[e2e][distributed][stunnel]") {
  if (std::system("command -v stunnel >/dev/null 2>&1") != 0)
    concur::test::skip_test("stunnel is not installed (Debian stunnel4: scripts/install-deps.sh)");
  SecuredRedis secured;
  Sandbox box;
  const std::string pem = box.path("redis.pem").string(), key = box.path("redis.key").string();
  REQUIRE(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=redis.lan "
                       "-keyout " +
                       key + " -out " + pem + " 2>/dev/null")
                          .c_str()) == 0);
  const int tls_port = free_port("127.0.0.1"), local_port = free_port("127.0.0.1");
  const std::string redis_port = std::to_string(secured.redis.port());
  // The recipe of docs/architecture.md, with scratch paths and ports, in the foreground.
  const auto server_conf = box.write(
      "server.conf",
      "foreground = yes\npid =\n[redis]\naccept = 127.0.0.1:" + std::to_string(tls_port) +
          "\nconnect = 127.0.0.1:" + redis_port + "\ncert = " + pem + "\nkey = " + key + "\n");
  const auto client_conf = box.write(
      "client.conf", "foreground = yes\npid =\n[redis]\nclient = yes\naccept = 127.0.0.1:" +
                         std::to_string(local_port) + "\nconnect = 127.0.0.1:" +
                         std::to_string(tls_port) + "\nverifyPeer = yes\nCAfile = " + pem + "\n");
  Program server({"stunnel", server_conf.string()}, box.path("stunnel-server.log").string());
  Program client({"stunnel", client_conf.string()}, box.path("stunnel-client.log").string());
  INFO(slurp(box.path("stunnel-server.log")) << slurp(box.path("stunnel-client.log")));
  REQUIRE(eventually([&] { return answers_through(local_port, kAdminPassword); },
                     std::chrono::seconds(30)));
  box.write("worker.pw", kWorkerPassword + "\n");
  box.write("coordinator.pw", kCoordinatorPassword + "\n");
  const std::string tunnel = "@127.0.0.1:" + std::to_string(local_port);
  Background worker({"worker", "--redis", "redis://worker" + tunnel, "--redis-password-file",
                     box.path("worker.pw").string(), "--id", "tls", "--runs", "1"},
                    box.path("tls.log").string());
  const auto config = box.write(
      "a.yaml",
      crawl_config("redis://coordinator" + tunnel,
                   "    redis_password_file: " + box.path("coordinator.pw").string() + "\n"));
  const auto [code, log] =
      finished(box, {"run", "-q", config.string(), "-o", box.path("runs.csv").string()});
  INFO(log << slurp(box.path("tls.log")));
  CHECK(code == 0);
  CHECK(worker.wait(std::chrono::seconds(30)) == 0);
  const std::string csv = slurp(box.path("runs.csv"));
  CHECK(column(csv, "status") == std::vector<std::string>{"ok"});
  CHECK(column(csv, "pages_ok") == std::vector<std::string>{"60"});
}
