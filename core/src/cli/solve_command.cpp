#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "hash/md5_chain.hpp"

namespace concur::cli {
namespace {

struct SolveArgs {
  std::string seed;
  uint64_t iterations = 50'000'000;
  std::string rule = "indexed";
};

int solve(const SolveArgs &args) {
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
  sub->footer("Prints the result on stdout and the timing on stderr.");
  return {sub, [args] { return solve(*args); }};
}

}  // namespace concur::cli
