// Hooks: the optional globals of the file named by `script:` (docs/lua.md).
//   setup(run)         once in each worker's state, before its first page
//   on_page(page)      each page fetched and solved; may return the links to follow
//   on_response(resp)  each request (retries and hedged copies too)
//   done(summary)      once per measured run, in the experiment's own state,
//                      after every worker finished; summary.workers reads them
//   on_result(row)     then, in the same state; may return extra CSV columns
// Workers share nothing: each has its own lua_State, made when it opens, kept
// until done() has run. A worker is used by one thread at a time (plugin.h),
// so its state is too.
#pragma once

#include <bitset>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "script/lua.hpp"
#include "script/values.hpp"

namespace concur::script {

enum class Hook { setup, on_page, on_response, on_result, done };
inline constexpr int kHookCount = 5;
const char *hook_name(Hook hook);

// What setup(run) is told.
struct RunInfo {
  std::string strategy;
  std::string options;  // "workers=4 executor=inline"
  std::string base_url;
  uint64_t seed = 0;
  int max_pages = 0;
};

struct PageInfo {
  const std::string &id;
  const std::string &type;
  const std::vector<std::string> &links;       // page ids, puzzle answers included
  const std::vector<std::string> &link_types;  // per link; "" when unknown
  double latency_ms = 0;                       // of the request that brought the page
  int attempts = 0;
  long bytes = 0;
};

struct ResponseInfo {
  const std::string &page;
  int status = 0;  // 0: no answer (transport error, timeout)
  double latency_ms = 0;
  long bytes = 0;
  int attempt = 0;
  bool cancelled = false;  // a hedged copy stopped once its twin had won
};

// The script file, checked once: it compiles, its main chunk runs, and every
// hook it defines is a function. Shared read-only by a run's workers.
class HookScript {
 public:
  // Throws ScriptError (phase load) naming the file and line.
  static std::shared_ptr<const HookScript> load(const std::string &path);
  const std::string &path() const { return path_; }
  bool defines(Hook hook) const { return defined_[static_cast<int>(hook)]; }

 private:
  explicit HookScript(std::string path) : path_(std::move(path)) {}
  std::string path_;
  std::bitset<kHookCount> defined_;
  friend class HookState;
};

// One lua_State running the script: the base of a worker's and of the
// experiment's own state.
class HookState {
 public:
  explicit HookState(std::shared_ptr<const HookScript> script);
  lua_State *lua() const { return state_.get(); }
  const HookScript &script() const { return *script_; }

 protected:
  // Pushes the hook function; returns false (nothing pushed) when undefined.
  bool push_hook(Hook hook) const;
  // "scripts/x.lua:12" where the hook is defined: for errors about its result.
  std::string hook_position(Hook hook) const;

  std::shared_ptr<const HookScript> script_;
  State state_;
};

class WorkerHooks : public HookState {
 public:
  // Loads the script in a fresh state and calls setup(run) with run.worker = id.
  WorkerHooks(std::shared_ptr<const HookScript> script, const RunInfo &run, int worker_id);
  int id() const { return id_; }
  // nullopt: follow every link. The hook may return links in any form a page
  // may use (ids, paths, URLs): `read_link` turns one into a page id, or
  // nullopt when it is no link (crawl::link_to_id; the protocol is the crawl's).
  using LinkReader = std::optional<std::string> (*)(std::string_view link);
  std::optional<std::vector<std::string>> on_page(const PageInfo &page, LinkReader read_link);
  void on_response(const ResponseInfo &response);

 private:
  int id_;
};

class MainHooks : public HookState {
 public:
  explicit MainHooks(std::shared_ptr<const HookScript> script);
  // Extra columns, name -> value (scalars), in name order.
  Row on_result(const Row &row);
  // summary is the run's row plus summary.workers; each worker's state stays
  // readable (worker:get(name)) until done returns.
  void done(const Row &summary, const std::vector<std::unique_ptr<WorkerHooks>> &workers);
};

}  // namespace concur::script
