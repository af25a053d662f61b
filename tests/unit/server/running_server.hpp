// A demo server on a loopback port for the server tests: a small graph with
// tiny puzzles and no delays unless a test asks for them.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "server/server.hpp"

namespace concur::test {

inline server::Settings quick_settings(uint64_t seed) {
  server::Settings s;
  s.seed = seed;
  s.pages = 100;
  s.extra_edges = 200;
  s.cpu_iterations = 50;
  s.core_iterations = 20;
  s.delay_scale = 0;
  return s;
}

struct Running {
  explicit Running(const server::Settings &s)
      : graph(std::make_shared<const server::Graph>(server::Graph::build(s))), server(graph) {
    server.start();
  }
  std::string url(const std::string &path) const { return server.base_url() + path; }
  const server::Page &first_of(server::PageType type) const {
    for (const server::Page &p : graph->pages())
      if (p.type == type) return p;
    throw std::logic_error("no page of that type");
  }
  std::shared_ptr<const server::Graph> graph;
  server::Server server;
};

}  // namespace concur::test
