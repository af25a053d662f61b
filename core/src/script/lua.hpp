// The one place that talks to the Lua C API's lifecycle and error handling,
// in the style of wrk's script.c: a state opened with the standard libraries
// and concur's prelude, files loaded under their own names, and every call
// made through lua_pcall with a message handler that names the script line.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

struct lua_State;

namespace concur::script {

// A Lua error, already formatted "SCRIPT:LINE: [in HOOK: ]MESSAGE" on one
// line. `traceback` holds Lua's stack traceback for logs.
class ScriptError : public std::runtime_error {
 public:
  enum class Phase { load, run };
  ScriptError(Phase phase, const std::string &message, std::string traceback = {});
  Phase phase() const { return phase_; }
  const std::string &traceback() const { return traceback_; }

 private:
  Phase phase_;
  std::string traceback_;
};

// Which `concur` functions a state offers: every state has the common ones
// (log, merge, version); scenario states add run, server, csv and plugins
// (script/scenario.cpp registers them).
class State {
 public:
  State();  // standard libraries + the `concur` table + the embedded prelude
  ~State();
  State(const State &) = delete;
  State &operator=(const State &) = delete;

  lua_State *get() const { return L_; }

  // Compiles a file and pushes it as a function; a syntax error (or an
  // unreadable file) is a ScriptError of phase load.
  void load_file(const std::string &path);
  // Compiles and runs a file as the main chunk ("@path" is its chunk name, so
  // messages read "path:line:"). Any error is a ScriptError of phase load.
  void run_file(const std::string &path);

  // Calls the function below `nargs` arguments on the stack, leaving
  // `nresults` results. `what` names the call in messages ("on_page"); an
  // error becomes a ScriptError of `phase`.
  void call(int nargs, int nresults, const std::string &what,
            ScriptError::Phase phase = ScriptError::Phase::run);

 private:
  lua_State *L_;
};

// The script that defines a hook or kernel, for messages when Lua gives no line.
std::string chunk_name(const std::string &path);

}  // namespace concur::script
