// The cost of a hook call, per call: scripts/bench-lua.sh runs this and prints
// the table. Each case calls a WorkerHooks method `calls` times on pages of 4
// links, fresh ids each (a crawl's pages are new to Lua), `repeats` times; one
// CSV row per repeat.
// Also: the time to open a worker's state (open_state, ns) and the Lua heap
// one holds (state_kb, KB, in the ns_per_call column).
//   concur_bench_hooks [--calls N] [--repeats R] [--dir TMPDIR]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <lua.hpp>

#include <algorithm>

#include "crawl/page.hpp"
#include "script/hooks.hpp"

namespace {

using concur::crawl::link_to_id;
using concur::script::HookScript;
using concur::script::PageInfo;
using concur::script::ResponseInfo;
using concur::script::WorkerHooks;

struct Case {
  const char *name;
  const char *script;
  bool response;  // time on_response instead of on_page
};

const Case kCases[] = {
    {"no_hook", "-- no hooks: the host skips the call\n", false},
    {"empty_on_page", "function on_page(page) end\n", false},
    {"return_links", "function on_page(page) return page.links end\n", false},
    {"count_types",
     "counts = {}\nfunction on_page(page) counts[page.type] = (counts[page.type] or 0) + 1 end\n",
     false},
    {"empty_on_response", "function on_response(r) end\n", true},
};

// Every page of a crawl is new to Lua: its id and links are strings the state
// has not interned. So here: a ring of pages with distinct 6-hex-digit ids,
// made before the clock starts, larger than what a state keeps between two
// garbage collections.
struct Page {
  std::string id;
  std::vector<std::string> links;
};

std::vector<Page> make_pages(size_t count) {
  std::vector<Page> pages(count);
  char text[16];
  for (size_t i = 0; i < count; ++i) {
    std::snprintf(text, sizeof text, "%06zx", i * 5);
    pages[i].id = text;
    for (size_t k = 1; k <= 4; ++k) {
      std::snprintf(text, sizeof text, "%06zx", i * 5 + k);
      pages[i].links.emplace_back(text);
    }
  }
  return pages;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char **argv) {
  long calls = 1'000'000;
  int repeats = 5;
  std::filesystem::path dir = std::filesystem::temp_directory_path();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--calls")
      calls = std::atol(argv[i + 1]);
    else if (arg == "--repeats")
      repeats = std::atoi(argv[i + 1]);
    else if (arg == "--dir")
      dir = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: concur_bench_hooks [--calls N] [--repeats R] [--dir DIR]\n");
      return 2;
    }
  }
  const std::string type = "regular";
  const std::vector<Page> pages = make_pages(1 << 16);
  const std::vector<std::string> types = {"regular", "delay", "", "cpu"};
  std::printf("case,calls,ns_per_call\n");
  for (int rep = 0; rep < repeats; ++rep) {
    // Opening a worker's state (what worker_open adds with a script), and what
    // one holds: the prelude plus scripts/count-types.lua's few functions.
    {
      const auto path = dir / "concur-bench-open.lua";
      std::ofstream(path) << kCases[3].script << "function done(s) end\n";
      const auto script = HookScript::load(path.string());
      const long opens = std::max(1L, calls / 100);
      double kb = 0;
      const auto start = std::chrono::steady_clock::now();
      for (long i = 0; i < opens; ++i) {
        WorkerHooks hooks(script, {}, 0);
        kb = lua_gc(hooks.lua(), LUA_GCCOUNT, 0) + lua_gc(hooks.lua(), LUA_GCCOUNTB, 0) / 1024.0;
      }
      std::printf("open_state,%ld,%.1f\n", opens,
                  seconds_since(start) * 1e9 / static_cast<double>(opens));
      std::printf("state_kb,1,%.1f\n", kb);
      std::filesystem::remove(path);
    }
    for (const Case &c : kCases) {
      const auto path = dir / (std::string("concur-bench-") + c.name + ".lua");
      std::ofstream(path) << c.script;
      WorkerHooks hooks(HookScript::load(path.string()), {}, 0);
      std::filesystem::remove(path);
      long followed = 0;  // consumed, so the calls cannot be optimised away
      const auto start = std::chrono::steady_clock::now();
      for (long i = 0; i < calls; ++i) {
        const Page &page = pages[static_cast<size_t>(i) % pages.size()];
        if (c.response) {
          hooks.on_response(ResponseInfo{page.id, 200, 1.5, 700, 1, false});
        } else {
          auto chosen =
              hooks.on_page(PageInfo{page.id, type, page.links, types, 1.5, 1, 700}, link_to_id);
          followed += chosen ? static_cast<long>(chosen->size()) : 4;
        }
      }
      const double ns = seconds_since(start) * 1e9 / static_cast<double>(calls);
      if (followed < 0) return 1;
      std::printf("%s,%ld,%.1f\n", c.name, calls, ns);
    }
  }
  return 0;
}
