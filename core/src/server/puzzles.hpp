// Making the puzzles of cpu and core pages (PROTOCOL.md, "Puzzles"): internal
// to the graph builder.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/settings.hpp"

namespace concur::server {

// One puzzle: a cpu or core page's puzzle for one of its links. A course page
// has one link, so one job; an original-profile page one job per link.
struct PuzzleJob {
  uint32_t page = 0;  // the puzzle page, which fixes its random stream
  PageType type = PageType::cpu;
  uint32_t attempt = 0;  // a redraw after a collision takes the next stream
  uint32_t link = 0;     // which of the page's links the puzzle hides
};

struct Puzzle {
  std::vector<std::string> seeds;    // cpu: 1, core: id_length (one link's worth)
  std::vector<std::string> results;  // each seed's full chain result (32 hex)
  std::string target_id;             // what the seeds chain to
};

// The seeds of a job: cheap (no hashing), a pure function of (settings, job).
std::vector<std::string> puzzle_seeds(const Settings &settings, const PuzzleJob &job);

// The target id the chain results give: a cpu result's prefix, or the first
// character of each core result.
std::string target_from_results(const Settings &settings, PageType type,
                                const std::vector<std::string> &results);

// One puzzle; a pure function of (settings, job), so any thread can make it.
Puzzle make_puzzle(const Settings &settings, const PuzzleJob &job);

class Progress;

// The wall time making puzzles of `chain_steps` md5 steps in all takes on
// hardware_concurrency() threads: ~110 ns a step on one core here
// (docs/architecture.md). A rough figure, the one every cost the server states
// (the start line, a starting server's Retry-After, `serve --help`) comes from.
double make_seconds(uint64_t chain_steps);

// All of them on hardware_concurrency() threads; result[i] belongs to jobs[i],
// the same whatever the thread count. Each finished puzzle ticks `progress`.
std::vector<Puzzle> make_puzzles(const Settings &settings, const std::vector<PuzzleJob> &jobs,
                                 Progress *progress = nullptr);

}  // namespace concur::server
