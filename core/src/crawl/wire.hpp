// Moving a page between processes: the host's one serialisation of "this task"
// (parent → child) and "what this page yielded and cost" (child → parent), in
// length-prefixed frames on a stream file descriptor. Plugins never see the
// format; they pass file descriptors to host services.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "crawl/task.hpp"
#include "results/page_names.hpp"

namespace concur::crawl::wire {

class WireError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The most bytes a task, an outcome, a run description or a frame may have:
// a page's outcome is kilobytes, a description with a million compute tasks
// tens of megabytes. Anything longer is refused unread, so that whoever can
// write to a worker's queue cannot make it hold gigabytes.
inline constexpr size_t kMaxMessage = 64u << 20;

// Decoders trust no byte: anything but what the encoders write, or longer
// than kMaxMessage, is a WireError (crawl/cbor.hpp keeps nlohmann's reader
// from recursing or casting unchecked).
std::string encode_task(const Task &task);
Task decode_task(std::string_view bytes);

// The task's outcome (fetched or failed, content, puzzle results), the
// counters and timeline the child spent on it, and why the child's run was
// aborted, if it was (e.g. the server became unreachable).
// Events name their pages as `names` (the encoding run's) does.
std::string encode_outcome(const Task &task, const WorkerStats &stats,
                           const results::PageNames &names, const std::string &run_error);
// Fills `task` (the parent's own, for the same page), adds to `stats`, and
// returns the child's run error ("" when none); its events' pages join `names`
// (the decoding run's). Bytes that are not an outcome are a WireError and leave
// `task` and `stats` as they were.
std::string decode_outcome(std::string_view bytes, Task &task, WorkerStats &stats,
                           results::PageNames &names);

// One frame: a 4-byte little-endian length, then the bytes. Writes never raise
// SIGPIPE; a closed peer is a WireError.
void write_frame(int fd, std::string_view bytes);
// The next frame, or nullopt at a clean end of stream (before any byte of a
// frame). A frame cut short, or longer than the limit, is a WireError.
std::optional<std::string> read_frame(int fd);

}  // namespace concur::crawl::wire
