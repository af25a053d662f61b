// The client's page interpreter: any body (JSON or not) is a page or a
// PageError. The first byte picks the puzzle description, so both profiles'
// shapes are reached. The same bytes are read as `/api/cheat/` too (a graph or
// nothing, in either shape) and as a starting server's 503 body (a line of
// words, whatever they hold).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crawl/cheat.hpp"
#include "crawl/page.hpp"
#include "experiment/target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  concur::crawl::PuzzleParams params;
  params.rule = data[0] & 1 ? concur::hash::Rule::plain : concur::hash::Rule::indexed;
  params.id_length = 1 + (data[0] >> 1) % 16;
  const std::string_view body(reinterpret_cast<const char *>(data + 1), size - 1);
  (void)concur::crawl::parse_cheat(body);
  (void)concur::experiment::describe_starting(body, data[0]);
  try {
    const auto page = concur::crawl::parse_page(body, params);
    // What a crawl does next with a page: its links and, given results, its answers.
    for (const auto &link : page.links) (void)concur::crawl::link_to_id(link);
    std::vector<std::string> results(page.work.size(), std::string(32, 'a'));
    (void)concur::crawl::puzzle_answers(page, results, params.id_length);
  } catch (const concur::crawl::PageError &) {
  }
  return 0;
}
