// What a worker process (`concur worker`) agrees to do for a run described
// to it through Redis: fetch from the servers its operator allowed, and load
// Lua kernels only from its kernels folder. Anyone who can write to that
// Redis can describe a run; without these checks a worker would fetch any
// URL inside its network and run any Lua file on its disk.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "crawl/crawl_run.hpp"

namespace concur::crawl {

struct WorkerTrust {
  // "HOST" (any port) or "HOST:PORT" ("[::1]:8080" for IPv6), compared with
  // the base URL's host as written (case aside), no name resolved.
  std::vector<std::string> hosts = {"127.0.0.1", "localhost", "[::1]"};
  bool any_host = false;
  // Kernel files load only from inside this folder, by a relative path
  // without "..", resolved from the working directory as the coordinator
  // resolved it from its own.
  std::filesystem::path kernels = "scripts";
};

// "" when the worker may serve the run; else why not, naming the option that
// would allow it. A kernel the worker may load has its lua_file replaced by
// the file's canonical path (what was checked is what gets loaded).
std::string refuse_or_resolve(CrawlSettings &settings, const WorkerTrust &trust);

// The checks behind refuse_or_resolve, one at a time (tests name them).
std::string server_refusal(const std::string &base_url, const WorkerTrust &trust);
std::string kernel_refusal(std::string &lua_file, const WorkerTrust &trust);

}  // namespace concur::crawl
