// What crosses between processes and hosts: a task (parent → child, or
// coordinator → worker), an outcome (back) and a run description (to a worker
// on another host), all CBOR. The first byte picks the decoder. Only the
// module's own errors may come out (WireError, DescriptionError); and what
// decodes must encode again into bytes that decode to the same thing, so the
// decoders accept everything the encoders write.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crawl/run_description.hpp"
#include "crawl/wire.hpp"

namespace {

using namespace concur::crawl;

[[noreturn]] void fail(const char *what) {
  std::fprintf(stderr, "fuzz_wire: %s\n", what);
  std::abort();
}

void same(const std::string &a, const std::string &b, const char *what) {
  if (a != b) fail(what);
}

void task(std::string_view bytes) {
  Task first;
  try {
    first = wire::decode_task(bytes);
  } catch (const wire::WireError &) {
    return;
  }
  const std::string again = wire::encode_task(first);
  same(wire::encode_task(wire::decode_task(again)), again, "a task changed on its way back");
}

std::string outcome_of(std::string_view bytes) {
  Task t;
  WorkerStats s;
  concur::results::PageNames names;  // one process's: decoded, then encoded again
  const std::string error = wire::decode_outcome(bytes, t, s, names);
  return wire::encode_outcome(t, s, names, error);
}

void outcome(std::string_view bytes) {
  std::string again;
  try {
    again = outcome_of(bytes);
  } catch (const wire::WireError &) {
    return;
  }
  same(outcome_of(again), again, "an outcome changed on its way back");
}

void description(std::string_view bytes) {
  CrawlSettings settings;
  try {
    settings = settings_from_description(bytes);
  } catch (const DescriptionError &) {
    return;
  }
  const std::chrono::steady_clock::time_point started{};  // the same clock both times
  const std::string again = describe_run(settings, started);
  same(describe_run(settings_from_description(again), started), again,
       "a run description changed on its way back");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char *>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0:
      task(bytes);
      break;
    case 1:
      outcome(bytes);
      break;
    default:
      description(bytes);
  }
  return 0;
}
