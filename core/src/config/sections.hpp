// The readers of the top-level sections. Each fills a Draft: the Experiment
// plus what the later cross-key checks need to know (what was given, where).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/experiment.hpp"
#include "config/fields.hpp"

namespace concur::config::detail {

struct Draft {
  Experiment exp;
  bool name_given = false;
  bool runs_given = false;
  bool strategies_given = false;
  bool crawl_given = false;
  const Entry *server_entry = nullptr;  // the `server:` key, while the document lives
  std::optional<Location> start_where;  // crawl.start, when a page id is given
  std::string start_origin;
  // Thresholds on latency columns, kept to refuse them in a compute
  // experiment once the whole file is read (its `compute:` may come later).
  std::vector<Field> latency_thresholds;
};

void read_server(const Field &field, Draft &draft);
void read_crawl(const Field &field, Draft &draft);
void read_strategies(const Field &field, Draft &draft);
void read_output(const Field &field, Draft &draft);
void read_compute(const Field &field, Draft &draft);
// `thresholds:` at the top level or in a strategy entry, into `out`.
void read_thresholds(const Field &field, Draft &draft, std::vector<analysis::Threshold> &out);
void check_compute_thresholds(const Draft &draft);
// The keys read_compute accepts ("tasks", "tasks[].kernel", ...), for known_keys().
std::vector<std::string> compute_key_names();
std::vector<std::string> server_key_names();  // the keys read_server accepts

}  // namespace concur::config::detail
