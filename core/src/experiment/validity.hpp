// Whether a run did what it was asked: checks that cost nothing at run time,
// made from what the run recorded once it ended. Some reasons fail the run
// (its figures measure the wrong work, or none), the others flag it (the
// figures are real but say less than they seem to); docs/architecture.md,
// "Validity", says which and why.
#pragma once

#include <string>

#include "crawl/crawl_run.hpp"
#include "results/run_result.hpp"

namespace concur::experiment {

// Fills r.validity and r.coverage; fails the run for a failing reason. `r`
// holds the run's events, pages (their types and links) and counts.
void judge(results::RunResult &r, const crawl::CrawlSettings &settings);

// Pages reachable from `start` in the server's whole graph, puzzle answers
// included: what a complete crawl from there reaches.
long reachable_pages(const results::KnownGraph &graph, const std::string &start);

}  // namespace concur::experiment
