#include "hash/md5_lanes.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#include "hash/md5_block.hpp"

namespace concur::hash {

// The kernels, one per instruction set (md5_lanes_kernel.inc).
namespace lanes_sse2 {
void advance(uint32_t *state, const uint32_t *tails, size_t steps);
}
#if CONCUR_MD5_X86_LANES
namespace lanes_avx2 {
void advance(uint32_t *state, const uint32_t *tails, size_t steps);
}
namespace lanes_avx512 {
void advance(uint32_t *state, const uint32_t *tails, size_t steps);
}
#endif

namespace {

using Kernel = void (*)(uint32_t *, const uint32_t *, size_t);

Kernel kernel_of(Lanes lanes) {
  switch (lanes) {
    case Lanes::sse2:
      return lanes_sse2::advance;
#if CONCUR_MD5_X86_LANES
    case Lanes::avx2:
      return lanes_avx2::advance;
    case Lanes::avx512:
      return lanes_avx512::advance;
#endif
    default:
      return nullptr;
  }
}

std::vector<Lanes> detect() {
  std::vector<Lanes> found = {Lanes::scalar, Lanes::sse2};
#if CONCUR_MD5_X86_LANES
  // libgcc checks the OS saves the registers too (XGETBV), not just CPUID.
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) found.push_back(Lanes::avx2);
  if (__builtin_cpu_supports("avx512f")) found.push_back(Lanes::avx512);
#endif
  if (const char *cap = std::getenv("CONCUR_MD5_LANES")) {
    if (auto limit = parse_lanes(cap))
      std::erase_if(found, [&](Lanes l) { return static_cast<int>(l) > static_cast<int>(*limit); });
  }
  return found;
}

// Steps per round of the kernels: the shared words of this many steps are
// computed once (8 KB) and run over every group of chains.
constexpr size_t kStepsPerRound = 256;

// The hex of a chain as 8 message words, into lane `lane` of `state`.
void load_hex(const std::string &hex, uint32_t *state, int width, int lane) {
  for (int k = 0; k < 8; ++k) {
    const auto *p = reinterpret_cast<const unsigned char *>(hex.data() + 4 * k);
    state[k * width + lane] = static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
                              static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
  }
}

std::string read_hex(const uint32_t *state, int width, int lane) {
  std::string hex(32, '0');
  for (int k = 0; k < 8; ++k)
    for (int b = 0; b < 4; ++b)
      hex[static_cast<size_t>(4 * k + b)] = static_cast<char>(state[k * width + lane] >> (8 * b));
  return hex;
}

}  // namespace

std::string_view lanes_name(Lanes lanes) {
  switch (lanes) {
    case Lanes::scalar:
      return "scalar";
    case Lanes::sse2:
      return "sse2";
    case Lanes::avx2:
      return "avx2";
    case Lanes::avx512:
      return "avx512";
  }
  return "?";
}

std::optional<Lanes> parse_lanes(std::string_view name) {
  for (Lanes l : {Lanes::scalar, Lanes::sse2, Lanes::avx2, Lanes::avx512})
    if (lanes_name(l) == name) return l;
  return std::nullopt;
}

int lane_width(Lanes lanes) {
  switch (lanes) {
    case Lanes::scalar:
      return 1;
    case Lanes::sse2:
      return 4;
    case Lanes::avx2:
      return 8;
    case Lanes::avx512:
      return 16;
  }
  return 1;
}

std::vector<Lanes> available_lanes() {
  static const std::vector<Lanes> found = detect();
  return found;
}

Lanes best_lanes() {
  return available_lanes().back();
}

Lanes cheapest_lanes(size_t count, const std::vector<LaneCost> &costs) {
  Lanes best = Lanes::scalar;
  double best_ns = std::numeric_limits<double>::infinity();
  for (const LaneCost &c : costs) {
    const auto width = static_cast<size_t>(lane_width(c.lanes));
    const double ns = static_cast<double>((count + width - 1) / width) * c.step_ns;
    if (ns < best_ns || (ns == best_ns && lane_width(c.lanes) < lane_width(best))) {
      best = c.lanes;
      best_ns = ns;
    }
  }
  return best;
}

namespace {

// One level's step as chains() takes it: for a vector level the shared words
// of the steps (built once a round for every group) and one group's kernel.
class StepRun {
 public:
  StepRun(Lanes lanes, size_t steps)
      : lanes_(lanes),
        steps_(steps),
        kernel_(kernel_of(lanes)),
        tails_(steps * 8),
        state_(8 * static_cast<size_t>(lane_width(lanes)), 0x30303030u) {}

  // Nanoseconds per step of one run.
  double time() {
    const auto start = std::chrono::steady_clock::now();
    if (kernel_ == nullptr) {
      sink_ = chain("lanes", steps_, Rule::indexed)[0];
    } else {
      detail::StepBlock tail;
      tail.begin(Rule::indexed, 1);
      for (size_t s = 0; s < steps_; ++s) {
        for (int k = 0; k < 8; ++k) tails_[s * 8 + static_cast<size_t>(k)] = tail.word(8 + k);
        tail.next();
      }
      kernel_(state_.data(), tails_.data(), steps_);
      sink_ = state_[0];
    }
    const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    return took.count() / static_cast<double>(steps_);
  }
  Lanes lanes() const { return lanes_; }

 private:
  Lanes lanes_;
  size_t steps_;
  Kernel kernel_;
  std::vector<uint32_t> tails_, state_;
  volatile uint32_t sink_ = 0;  // the result is used: no run can be left out
};

// Each level's best of a few short runs, the levels taken in turn, so that a
// preemption or a busy moment does not count against one level alone.
std::vector<LaneCost> measure_costs() {
  constexpr size_t kSteps = 256;  // 20-50 us a run
  std::vector<StepRun> runs;
  for (Lanes l : available_lanes()) runs.emplace_back(l, kSteps);
  std::vector<LaneCost> costs;
  for (const StepRun &run : runs)
    costs.push_back({run.lanes(), std::numeric_limits<double>::infinity()});
  for (int trial = 0; trial < 3; ++trial)
    for (size_t i = 0; i < runs.size(); ++i)
      costs[i].step_ns = std::min(costs[i].step_ns, runs[i].time());
  return costs;
}

}  // namespace

const std::vector<LaneCost> &lane_costs() {
  static const std::vector<LaneCost> costs = measure_costs();
  return costs;
}

Lanes lanes_for(size_t count) {
  return count <= 1 ? Lanes::scalar : cheapest_lanes(count, lane_costs());
}

std::vector<std::string> chains(const std::vector<std::string> &seeds, uint64_t iterations,
                                Rule rule) {
  return chains(seeds, iterations, rule, lanes_for(seeds.size()));
}

std::vector<std::string> chains(const std::vector<std::string> &seeds, uint64_t iterations,
                                Rule rule, Lanes lanes) {
  const auto available = available_lanes();
  if (std::find(available.begin(), available.end(), lanes) == available.end())
    throw std::invalid_argument("md5 lanes " + std::string(lanes_name(lanes)) +
                                ": not available on this CPU");
  std::vector<std::string> out;
  out.reserve(seeds.size());
  // The first step hashes the seed, whose length is arbitrary: one chain at a time.
  for (const auto &seed : seeds)
    out.push_back(chain(seed, std::min<uint64_t>(iterations, 1), rule));
  const Kernel kernel = kernel_of(lanes);
  if (iterations <= 1 || seeds.empty()) return out;
  if (kernel == nullptr) {
    for (size_t i = 0; i < seeds.size(); ++i) out[i] = chain(seeds[i], iterations, rule);
    return out;
  }
  // Groups of `width` chains; a short last group repeats its first chain.
  const int width = lane_width(lanes);
  const size_t groups =
      (seeds.size() + static_cast<size_t>(width) - 1) / static_cast<size_t>(width);
  std::vector<uint32_t> state(groups * 8 * static_cast<size_t>(width));
  auto group_state = [&](size_t g) { return state.data() + g * 8 * static_cast<size_t>(width); };
  for (size_t g = 0; g < groups; ++g)
    for (int lane = 0; lane < width; ++lane) {
      size_t i = g * static_cast<size_t>(width) + static_cast<size_t>(lane);
      if (i >= seeds.size()) i = g * static_cast<size_t>(width);
      load_hex(out[i], group_state(g), width, lane);
    }
  detail::StepBlock tail;
  tail.begin(rule, 1);
  std::vector<uint32_t> tails(kStepsPerRound * 8);
  for (uint64_t done = 1; done < iterations;) {
    const size_t steps = static_cast<size_t>(std::min<uint64_t>(kStepsPerRound, iterations - done));
    for (size_t s = 0; s < steps; ++s) {
      for (int k = 0; k < 8; ++k) tails[s * 8 + static_cast<size_t>(k)] = tail.word(8 + k);
      tail.next();
    }
    for (size_t g = 0; g < groups; ++g) kernel(group_state(g), tails.data(), steps);
    done += steps;
  }
  for (size_t i = 0; i < seeds.size(); ++i)
    out[i] = read_hex(group_state(i / static_cast<size_t>(width)), width,
                      static_cast<int>(i % static_cast<size_t>(width)));
  return out;
}

}  // namespace concur::hash
