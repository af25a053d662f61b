// What a `concur worker` agrees to serve: the servers its operator allowed,
// the kernel files inside its kernels folder.
#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "crawl/worker_trust.hpp"

using concur::crawl::kernel_refusal;
using concur::crawl::server_refusal;
using concur::crawl::WorkerTrust;
namespace fs = std::filesystem;

TEST_CASE("a worker fetches from loopback by default, and from what --allow-host names",
          "[crawl][distributed][trust]") {
  const WorkerTrust loopback;
  CHECK(server_refusal("http://127.0.0.1:8080", loopback).empty());
  CHECK(server_refusal("http://LocalHost:1", loopback).empty());
  CHECK(server_refusal("http://[::1]:8080", loopback).empty());
  CHECK_THAT(server_refusal("http://127.0.0.2:8080", loopback),
             Catch::Contains("--allow-host 127.0.0.2:8080"));
  CHECK_THAT(server_refusal("http://10.0.0.5", loopback),
             Catch::Contains("--allow-host 10.0.0.5:80"));
  // Userinfo does not fool it: the host is what libcurl would connect to.
  CHECK_FALSE(server_refusal("http://127.0.0.1@10.0.0.5:80", loopback).empty());

  WorkerTrust named;
  named.hosts = {"crawl.example", "10.0.0.5:8080", "[fd00::1]:80"};
  CHECK(server_refusal("https://CRAWL.example/x", named).empty());
  CHECK(server_refusal("http://10.0.0.5:8080", named).empty());
  CHECK_FALSE(server_refusal("http://10.0.0.5:8081", named).empty());
  CHECK(server_refusal("http://[fd00::1]", named).empty());
  CHECK_FALSE(server_refusal("http://127.0.0.1:8080", named).empty());  // instead of loopback
}

TEST_CASE("only http and https, even with --allow-any-host", "[crawl][distributed][trust]") {
  WorkerTrust any;
  any.any_host = true;
  CHECK(server_refusal("http://10.9.8.7:1234", any).empty());
  CHECK_THAT(server_refusal("file:///etc/passwd", any), Catch::Contains("not http"));
  CHECK_THAT(server_refusal("gopher://127.0.0.1:25", any), Catch::Contains("not http"));
  CHECK_FALSE(server_refusal("not a url", any).empty());
}

TEST_CASE("kernel files load from inside the kernels folder only", "[crawl][distributed][trust]") {
  const fs::path root = fs::temp_directory_path() / ("concur-trust-" + std::to_string(getpid()));
  fs::create_directories(root / "scripts");
  fs::create_directories(root / "elsewhere");
  std::ofstream(root / "scripts" / "k.lua") << "function f() return 1 end\n";
  std::ofstream(root / "elsewhere" / "k.lua") << "function f() return 1 end\n";
  fs::create_symlink(root / "elsewhere" / "k.lua", root / "scripts" / "link.lua");
  const fs::path before = fs::current_path();
  fs::current_path(root);
  const WorkerTrust trust;  // kernels: scripts, in the working directory
  std::string file = "scripts/k.lua";
  CHECK(kernel_refusal(file, trust).empty());
  CHECK(file == fs::canonical(root / "scripts" / "k.lua").string());  // what was checked
  file = "elsewhere/k.lua";
  CHECK_THAT(kernel_refusal(file, trust), Catch::Contains("is outside"));
  file = "scripts/../elsewhere/k.lua";
  CHECK_THAT(kernel_refusal(file, trust), Catch::Contains("climbs out with '..'"));
  file = (root / "scripts" / "k.lua").string();
  CHECK_THAT(kernel_refusal(file, trust), Catch::Contains("is an absolute path"));
  file = "scripts/link.lua";  // a link out of the folder
  CHECK_THAT(kernel_refusal(file, trust), Catch::Contains("is outside"));
  file = "scripts/missing.lua";
  CHECK_THAT(kernel_refusal(file, trust), Catch::Contains("scripts/missing.lua"));
  fs::current_path(before);
  fs::remove_all(root);
}
