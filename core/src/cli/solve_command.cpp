#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "hash/md5_chain.hpp"
#include "hash/md5_lanes.hpp"

namespace concur::cli {
namespace {

struct SolveArgs {
  std::string seed;
  uint64_t iterations = 50'000'000;
  std::string rule = "indexed";
  size_t chains = 1;
  std::string lanes = "auto";
};

// --chains N: seeds SEED-0 ... SEED-(N-1), solved together in vector lanes
// (hash/md5_lanes.hpp). Prints one result per line.
int solve_many(const SolveArgs &args) {
  // auto: the level a crawl would take for this many chains (timed here once).
  hash::Lanes lanes = hash::lanes_for(args.chains);
  if (args.lanes != "auto") {
    const auto levels = hash::available_lanes();
    const auto asked = hash::parse_lanes(args.lanes);
    if (!asked || std::find(levels.begin(), levels.end(), *asked) == levels.end()) {
      std::fprintf(stderr,
                   "concur: --lanes %s: not available here (this CPU: ", args.lanes.c_str());
      for (size_t i = 0; i < levels.size(); ++i)
        std::fprintf(stderr, "%s%s", i ? ", " : "",
                     std::string(hash::lanes_name(levels[i])).c_str());
      std::fprintf(stderr, ")\n");
      return kExitUsage;
    }
    lanes = *asked;
  }
  std::vector<std::string> seeds;
  for (size_t i = 0; i < args.chains; ++i) seeds.push_back(args.seed + "-" + std::to_string(i));
  auto start = std::chrono::steady_clock::now();
  const auto results = hash::chains(seeds, args.iterations, *hash::parse_rule(args.rule), lanes);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto &r : results) std::printf("%s\n", r.c_str());
  const double steps = static_cast<double>(args.iterations) * static_cast<double>(args.chains);
  std::fprintf(
      stderr, "%zu chains x %llu iterations (%s, %s lanes) in %.3f s, %.2f ns/step, %.3g steps/s\n",
      args.chains, static_cast<unsigned long long>(args.iterations), args.rule.c_str(),
      std::string(hash::lanes_name(lanes)).c_str(), s, steps > 0 ? s * 1e9 / steps : 0,
      s > 0 ? steps / s : 0);
  return kExitOk;
}

int solve(const SolveArgs &args) {
  if (args.chains > 1 || args.lanes != "auto") return solve_many(args);
  auto start = std::chrono::steady_clock::now();
  std::string result = hash::chain(args.seed, args.iterations, *hash::parse_rule(args.rule));
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double ns = args.iterations ? s * 1e9 / static_cast<double>(args.iterations) : 0;
  std::printf("%s\n", result.c_str());
  std::fprintf(stderr, "%llu iterations (%s) in %.3f s, %.1f ns/iteration\n",
               static_cast<unsigned long long>(args.iterations), args.rule.c_str(), s, ns);
  return kExitOk;
}

}  // namespace

Subcommand add_solve(CLI::App &app) {
  auto args = std::make_shared<SolveArgs>();
  CLI::App *sub = app.add_subcommand("solve", "Run the md5 chain of a puzzle seed and time it");
  sub->add_option("seed", args->seed, "The seed string (a page's hashseed)")->required();
  sub->add_option("-n,--iterations", args->iterations, "Chain steps")->capture_default_str();
  sub->add_option("-r,--rule", args->rule, "indexed: md5(r + '_' + i); plain: md5(r)")
      ->capture_default_str()
      ->check(CLI::IsMember({"indexed", "plain"}));
  sub->add_option("--chains", args->chains,
                  "Solve N chains (seeds SEED-0 .. SEED-N-1) together, several per vector")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1'000'000}));
  sub->add_option("--lanes", args->lanes,
                  "Vector lanes for --chains: auto (the level that runs this many chains soonest "
                  "on this CPU, by step costs timed at start, as a crawl picks it), scalar, sse2, "
                  "avx2, avx512")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "scalar", "sse2", "avx2", "avx512"}));
  sub->footer("Prints the result(s) on stdout and the timing on stderr.");
  return {sub, [args] { return solve(*args); }};
}

}  // namespace concur::cli
