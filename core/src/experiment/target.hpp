// The server an experiment talks to: the embedded demo server (started here)
// or a running one (base_url), what it announces, and the resolved start page.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "config/experiment.hpp"
#include "crawl/crawl_run.hpp"

namespace concur::server {
class Server;
}

namespace concur::experiment {

class Target {
 public:
  // Starts the embedded server when the experiment has no base_url; reads the
  // server's puzzle announcement; resolves crawl.start to a page id. A compute
  // experiment has no server: the planned runs carry their tasks.
  explicit Target(const config::Experiment &experiment, std::ostream &log);
  ~Target();
  // What every run of the experiment shares: the server, the start page, the
  // puzzles, the fetch policy, the whole graph when the server gives it.
  const crawl::CrawlSettings &settings() const { return settings_; }
  server::Server *embedded() const { return server_.get(); }
  uint64_t seed() const { return seed_; }

 private:
  void start_embedded(const config::Experiment &experiment, std::ostream &log);
  void announce_compute(const config::Experiment &experiment, std::ostream &log);

  std::unique_ptr<server::Server> server_;
  crawl::CrawlSettings settings_;
  uint64_t seed_ = 0;
};

// A starting server's 503 (PROTOCOL.md, /health) in words for the log:
// "12/200 puzzles made, about 8 min left" from its body, else what its
// Retry-After asks. Any body, JSON or not, gives a line.
std::string describe_starting(std::string_view body, long retry_after_s);

}  // namespace concur::experiment
