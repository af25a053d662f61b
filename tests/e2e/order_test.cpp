// `order:` as the runs CSV records it: each row's position, for each order.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "support/cli.hpp"

using concur::test::column;
using concur::test::Sandbox;
using concur::test::slurp;

namespace {

const char *kLab = R"(name: order
server: {seed: 7, pages: 30, delay_scale: 0.002, cpu_iterations: 200, core_iterations: 50}
strategies:
  - plugin: threads
    workers: [1, 2, 3]
repeat: 3
)";

// "options/repeat" for each row, in the CSV's order; positions checked 1..n.
std::vector<std::string> ran(const Sandbox &box, const std::string &order, const std::string &out) {
  const auto config = box.write("order.yaml", kLab);
  const auto r = box.concur("run -q " + config.string() + " --out " + box.path(out).string() +
                            (order.empty() ? "" : " --set order=" + order));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string csv = slurp(box.path(out));
  const auto positions = column(csv, "position");
  for (size_t i = 0; i < positions.size(); ++i) CHECK(positions[i] == std::to_string(i + 1));
  const auto options = column(csv, "options"), repeats = column(csv, "repeat");
  std::vector<std::string> rows;
  for (size_t i = 0; i < options.size(); ++i)
    rows.push_back(options[i].substr(0, options[i].find(' ')) + "/" + repeats[i]);
  return rows;
}

}  // namespace

TEST_CASE("order: the runs CSV's rows and positions follow the order asked for", "[e2e][order]") {
  Sandbox box;
  using V = std::vector<std::string>;
  CHECK(ran(box, "interleaved", "i.csv") == V{"workers=1/1", "workers=2/1", "workers=3/1",
                                              "workers=1/2", "workers=2/2", "workers=3/2",
                                              "workers=1/3", "workers=2/3", "workers=3/3"});
  CHECK(ran(box, "grouped", "g.csv") == V{"workers=1/1", "workers=1/2", "workers=1/3",
                                          "workers=2/1", "workers=2/2", "workers=2/3",
                                          "workers=3/1", "workers=3/2", "workers=3/3"});
  // The default: rounds in a seeded order; workers=1 (the baseline) first in each.
  const V shuffled = ran(box, "", "s.csv");
  REQUIRE(shuffled.size() == 9);
  for (size_t round = 0; round < 3; ++round) {
    CHECK(shuffled[round * 3] == "workers=1/" + std::to_string(round + 1));
    for (size_t i = 0; i < 3; ++i)
      CHECK(shuffled[round * 3 + i].substr(10) == std::to_string(round + 1));
  }
  CHECK(ran(box, "shuffled", "s2.csv") == shuffled);  // the same seed, the same order
  // With its baseline first, every row has its speedup.
  for (const auto &s : column(slurp(box.path("s.csv")), "speedup")) CHECK_FALSE(s.empty());
}
