// The simulated GIL: mutual exclusion and hand-over, with real threads.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "script/gil.hpp"

using concur::script::Gil;

TEST_CASE("the GIL lets one thread in at a time", "[script][gil]") {
  Gil gil;
  long counter = 0;  // deliberately not atomic: only the GIL protects it
  std::atomic<int> most_running{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20'000; ++i) {
        gil.acquire();
        most_running = std::max(most_running.load(), gil.running());
        ++counter;
        gil.maybe_switch();  // may hand over mid-turn, as Lua's hook does
        ++counter;
        gil.release();
      }
    });
  for (auto &t : threads) t.join();
  CHECK(counter == 4 * 20'000 * 2);
  CHECK(most_running.load() == 1);
  CHECK(gil.running() == 0);
}

TEST_CASE("a holder keeps the GIL until the switch interval has passed", "[script][gil]") {
  Gil gil(3600);  // an hour: no hand-over in this test
  gil.acquire();
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    gil.acquire();
    got = true;
    gil.release();
  });
  // The waiter cannot have it while we hold it, whatever maybe_switch is asked.
  for (int i = 0; i < 1000; ++i) gil.maybe_switch();
  CHECK_FALSE(got.load());
  CHECK(gil.switches() == 0);
  gil.release();
  waiter.join();
  CHECK(got.load());
}
