// One span of a run's timeline, recorded by the host as strategies call it:
// the raw material of traces, of the critical path, and of per-page delays.
#pragma once

#include <cstdint>

#include "results/blocks.hpp"

namespace concur::results {

struct Event {
  enum class Kind : unsigned char { request, solve };
  static constexpr long kCancelled = -1;
  Kind kind = Kind::request;
  int worker = 0;      // the host worker that did it
  uint32_t page = 0;   // the page's index in the run's PageNames (results/page_names.hpp)
  int attempt = 0;     // request: which attempt of the page (1 = the first; hedged copies share it)
  double start_s = 0;  // seconds since the run started (steady clock)
  double end_s = 0;
  // request: HTTP status, 0 for a transport error, kCancelled for a hedged
  // copy stopped once a twin had won; solve: work unit index.
  long status = 0;
  double cpu_s = 0;  // solve: CPU time of the solving thread (its span may include waiting)
  long bytes = 0;    // request: body bytes received
  // solve: time the kernel declared as waiting (a Lua kernel's concur.sleep):
  // as unavoidable as its CPU time, and not CPU (compute_lower_bound).
  double wait_s = 0;
};
// A crawl keeps every event until its row and timeline are written: the
// fields are ordered so that none pads.
static_assert(sizeof(Event) == 64, "an Event is 64 bytes");

// Every request and solve of a run (results/blocks.hpp): 8 to a 512-byte block.
using Events = Blocks<Event>;

}  // namespace concur::results
