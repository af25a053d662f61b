/*
 * concur strategy plugin ABI, version 1.3 (major 1, minor 3).
 *
 * The ONE header a strategy plugin needs. Plain C so that a plugin built by
 * another compiler, or in another language, loads.
 *
 * The deal: core owns *what* an experiment means (the frontier, fetching with
 * the experiment's retry and timeout policy, parsing pages, puzzles, limits,
 * measurement); a plugin owns only *how* work is scheduled. A plugin exports
 * one function, concur_plugin_entry(), returning a static descriptor. For each
 * run the host calls descriptor->run() with a table of services.
 *
 * A page's life in five verbs, all host services:
 *   take      pop the next task from core's frontier (core enforces max_pages)
 *   fetch     the I/O: blocking, on this worker's connection
 *   interpret parse the body: new links, and the CPU work the page demands
 *   solve     one unit of that CPU work, on the calling thread
 *   complete  hand the outcome back; core de-duplicates and queues new links
 *
 * Rules that keep both sides honest:
 *   - The host table and the descriptor start with abi_version and
 *     struct_size. Both are append-only: new members are added at the end,
 *     marked with the minor version that added them ("since 1.1"), and
 *     announced by a larger struct_size, never reordered. A plugin checks for
 *     a member newer than 1.0 with CONCUR_HOST_HAS(host, member); the host
 *     reads a newer descriptor member only when CONCUR_PLUGIN_HAS says so.
 *     The two other structs that cross, concur_option_spec (an element of
 *     the plugin's option table) and concur_bytes, carry no version and no
 *     size: they are frozen for ABI major 1 and change only with a new
 *     CONCUR_ABI_VERSION.
 *   - CONCUR_ABI_VERSION is the major version: a plugin built against another
 *     one is refused. Within a major version a plugin built against any
 *     earlier minor keeps loading and behaving the same.
 *   - No exceptions cross the boundary; errors are status codes plus a message
 *     written into a caller-provided buffer.
 *   - Memory is freed by the side that allocated it. Tasks and workers are
 *     host objects, created and destroyed through host services only.
 *   - A worker is thread-affine: open it, use it and close it on one thread.
 *     Different workers may be used concurrently from different threads.
 *
 * Event-driven strategies (async, fibers) use a loop instead of the blocking
 * fetch: fetch_start() begins a page's fetch and returns at once, loop_run()
 * waits for the network and calls each finished fetch's callback. The loop
 * applies the same retry and timeout policy as fetch().
 */
#ifndef CONCUR_PLUGIN_H
#define CONCUR_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The major version: the host refuses a plugin built against another one. */
#define CONCUR_ABI_VERSION 1u
/* The minor version of this header: the newest group of members appended to
 * the host table or the descriptor (see the "since 1.x" marks). A compile-time
 * fact about the header only; at run time, ask CONCUR_HOST_HAS. */
#define CONCUR_ABI_MINOR 3u

/* The name of the one symbol a plugin exports. */
#define CONCUR_PLUGIN_ENTRY_SYMBOL "concur_plugin_entry"

#if defined(__GNUC__)
#define CONCUR_EXPORT __attribute__((visibility("default")))
#else
#define CONCUR_EXPORT
#endif

/* ---- status codes ------------------------------------------------------ */

typedef enum concur_status {
  CONCUR_OK = 0,
  /* take: the run is over (frontier empty and nothing in flight, max_pages
   * reached, or the run was aborted). Stop taking and return from run(). */
  CONCUR_FINISHED = 1,
  /* take without waiting: nothing ready now, but tasks are still in flight
   * and may yield more. */
  CONCUR_AGAIN = 2,
  /* fetch/interpret: the page failed (after every retry the policy allows).
   * The task still must be completed; core counts it as failed. */
  CONCUR_PAGE_FAILED = 3,
  /* A misuse of the API or a fatal host error; the run is aborted and every
   * later take returns CONCUR_FINISHED. */
  CONCUR_ERROR = -1
} concur_status;

/* ---- opaque host objects ----------------------------------------------- */

typedef struct concur_run concur_run;       /* one run of an experiment */
typedef struct concur_worker concur_worker; /* one thread's context: its HTTP
                                               connection, its counters */
typedef struct concur_task concur_task;     /* one page (or compute item) */
typedef struct concur_loop concur_loop;     /* a non-blocking HTTP loop */

/* Bytes the host allocated for the plugin (encode_task, describe_run ...):
 * free them with bytes_free. Frozen for ABI major 1, like concur_option_spec. */
typedef struct concur_bytes {
  void *data;
  size_t size;
} concur_bytes;

/* Called on the loop's thread, from inside loop_run(). `status` is CONCUR_OK
 * or CONCUR_PAGE_FAILED for a fetch, CONCUR_OK for a posted call. */
typedef void (*concur_callback)(void *user, concur_status status);

/* ---- options: declared by the plugin, validated and filled by the host -- */

typedef enum concur_option_type {
  CONCUR_OPT_INT = 1,
  CONCUR_OPT_DOUBLE = 2,
  CONCUR_OPT_BOOL = 3,
  CONCUR_OPT_STRING = 4
} concur_option_type;

/* One element of the descriptor's option table. Frozen for ABI major 1: it
 * carries no version or size (the host reads it by array index, so its size
 * is the stride), and its layout changes only with a new CONCUR_ABI_VERSION.
 * New kinds of option come as new concur_option_type values instead. */
typedef struct concur_option_spec {
  const char *name; /* the key users write in YAML, e.g. "workers" */
  concur_option_type type;
  const char *default_value; /* as a YAML scalar, e.g. "4", "true", "inline" */
  const char *help;          /* one line for `concur plugins` */
  const char *choices;       /* STRING only: "inline|threads", NULL = any */
  double min;                /* INT/DOUBLE only: inclusive bounds, */
  double max;                /* ignored when min > max */
} concur_option_spec;

/* "No bounds" for an option written with designated initializers: min > max,
 * so neither applies. It names the last two members, so it comes last:
 *   {.name = "label", .type = CONCUR_OPT_STRING, .default_value = "",
 *    .help = "any text", .choices = NULL, CONCUR_UNBOUNDED}, */
#define CONCUR_UNBOUNDED .min = 1, .max = 0

/* ---- the host table ----------------------------------------------------- */

typedef enum concur_log_level {
  CONCUR_LOG_DEBUG = 0,
  CONCUR_LOG_INFO = 1,
  CONCUR_LOG_WARN = 2,
  CONCUR_LOG_ERROR = 3
} concur_log_level;

typedef enum concur_metric_kind {
  CONCUR_METRIC_ADD = 0, /* sum of every value recorded */
  CONCUR_METRIC_MAX = 1  /* largest value recorded (a high-water mark) */
} concur_metric_kind;

typedef struct concur_host {
  uint32_t abi_version; /* CONCUR_ABI_VERSION of the host */
  uint32_t struct_size; /* sizeof(concur_host) as the host was built */

  /* -- since 1.0: options. The host has validated every value against the
   *    plugin's declared table; asking for an undeclared name or the wrong
   *    type aborts the run. Strings live as long as the run. */
  int64_t (*option_int)(concur_run *run, const char *name);
  double (*option_double)(concur_run *run, const char *name);
  int (*option_bool)(concur_run *run, const char *name);
  const char *(*option_string)(concur_run *run, const char *name);

  /* -- since 1.0: workers. worker_open returns NULL only when the run was
   *    aborted. Ids are 0, 1, 2 ... in opening order. When the experiment has
   *    Lua hooks (`script:`), each worker gets a Lua state of its own; its
   *    hooks run inside worker_open (setup), fetch and complete, on whichever
   *    thread uses the worker, so a plugin has nothing to do for them. */
  concur_worker *(*worker_open)(concur_run *run);
  void (*worker_close)(concur_worker *worker);
  int (*worker_id)(const concur_worker *worker);

  /* -- since 1.0: a page's life.
   * take: on CONCUR_OK *task is a new task, owned by the plugin until it is
   *   passed to complete(). With wait != 0 it blocks until a task is ready or
   *   the run is finished; with wait == 0 it may return CONCUR_AGAIN. */
  concur_status (*take)(concur_worker *worker, concur_task **task, int wait);
  /* fetch: blocking, with the experiment's timeout and retry policy. */
  concur_status (*fetch)(concur_worker *worker, concur_task *task);
  /* interpret: after a successful fetch; parses links and CPU work. */
  concur_status (*interpret)(concur_worker *worker, concur_task *task);
  /* work_count: independent units of CPU work the page demands after
   *   interpret (0 none, 1 for a cpu page, id_length for a core page). */
  size_t (*work_count)(const concur_task *task);
  /* solve: unit `index` of the task's work, on the calling thread. Distinct
   *   indices of one task may be solved concurrently by different workers. */
  concur_status (*solve)(concur_worker *worker, concur_task *task, size_t index);
  /* complete: always called once per taken task, whatever happened to it.
   *   The task is gone afterwards. */
  concur_status (*complete)(concur_worker *worker, concur_task *task);

  /* -- since 1.0: reporting. */
  void (*log)(concur_run *run, concur_log_level level, const char *message);
  /* A strategy-specific figure (e.g. a queue's high-water mark); it becomes a
   * column of the run's results. Thread-safe. */
  void (*metric)(concur_run *run, const char *name, double value, concur_metric_kind kind);

  /* -- since 1.0: moving pages between processes (a forked pool). The host
   * owns the format: frames written and read whole on a stream descriptor
   * (a socketpair, or a pipe). Writing never raises SIGPIPE on a socket.
   *
   * Parent: take() a task, send_task() it to a child, and later
   * receive_outcome() into the same task, then complete() it as usual. The
   * worker passed to receive_outcome is the one whose counters the child's
   * requests and solves are added to: open one per child before forking, and
   * let the child use its own copy of it. */
  concur_status (*send_task)(const concur_task *task, int fd);
  /* Child: the next task sent by the parent, to fetch, interpret and solve;
   * CONCUR_FINISHED when the parent closed the stream. */
  concur_status (*receive_task)(concur_worker *worker, int fd, concur_task **task);
  /* Child: sends what the page yielded and what it cost, then frees the
   * child's task (whatever the status). */
  concur_status (*send_outcome)(concur_worker *worker, concur_task *task, int fd);
  /* Parent: reads one outcome into `task`. CONCUR_ERROR when the stream ended
   * or held garbage (the child died): the task is untouched and may be sent
   * again, or completed as it is (then it counts as a failed page). */
  concur_status (*receive_outcome)(concur_worker *worker, concur_task *task, int fd);

  /* -- since 1.0: the non-blocking HTTP loop (libcurl multi on epoll). A loop
   * belongs to the worker it is opened on and, like it, to one thread: every
   * service below but loop_post is called on that thread.
   *
   * loop_open: NULL only when the run was aborted. Connections are kept
   *   alive and reused across fetches; any number may be in flight. */
  concur_loop *(*loop_open)(concur_worker *worker);
  /* loop_close: fetches still in flight are cancelled without their callbacks
   *   running; their tasks must still be completed (they count as failed). */
  void (*loop_close)(concur_loop *loop);
  /* fetch_start: begins fetching `task` (retries included) and returns at
   *   once. `done(user, status)` runs exactly once, from a later loop_run(). */
  concur_status (*fetch_start)(concur_loop *loop, concur_task *task, concur_callback done,
                               void *user);
  /* loop_run: waits up to timeout_ms (-1: until something happens) for
   *   network events, timers and posted calls, and runs the callbacks that
   *   became due. Returns CONCUR_OK, or CONCUR_ERROR if the loop failed. */
  concur_status (*loop_run)(concur_loop *loop, int timeout_ms);
  /* loop_post: the one thread-safe loop service. Schedules fn(user, OK) to
   *   run on the loop's thread and wakes a loop_run() that is waiting: how a
   *   helper thread hands a finished solve back to the loop. */
  concur_status (*loop_post)(concur_loop *loop, concur_callback fn, void *user);
  /* loop_in_flight: fetches started and not yet reported done. */
  size_t (*loop_in_flight)(const concur_loop *loop);

  /* -- since 1.1 (check CONCUR_HOST_HAS(host, solve_tasks)): solving in SIMD
   * lanes. solve_tasks solves every unit of every task given, on the calling
   * thread, several md5 chains per vector instruction (4, 8 or 16 lanes, as
   * wide as the CPU has): the same results as solve() for each unit, in a
   * fraction of the time once there are several units (a core page's
   * id_length chains, or many cpu pages at once). Tasks must be interpreted
   * and not yet completed; none may be given twice. */
  concur_status (*solve_tasks)(concur_worker *worker, concur_task *const *tasks, size_t count);

  /* -- since 1.2 (check CONCUR_HOST_HAS(host, run_error), the group's last
   * member): moving pages between hosts. The wire services above as messages
   * instead of a stream, for transports such as a Redis stream: the same
   * format, the same rules.
   *
   * Coordinator: encode_task() a taken task, ship the bytes; decode_outcome()
   * what comes back into the same task, then complete() it. Worker process:
   * decode_task() the bytes into a task of its own run, fetch, interpret and
   * solve it, then encode_outcome() (which frees the task) and ship that. */
  concur_status (*encode_task)(const concur_task *task, concur_bytes *out);
  concur_status (*decode_task)(concur_worker *worker, const void *data, size_t size,
                               concur_task **task);
  concur_status (*encode_outcome)(concur_worker *worker, concur_task *task, concur_bytes *out);
  /* CONCUR_ERROR when the bytes are not an outcome: the task is untouched. */
  concur_status (*decode_outcome)(concur_worker *worker, concur_task *task, const void *data,
                                  size_t size);
  void (*bytes_free)(concur_bytes *bytes);
  /* The run as a worker process needs it to fetch, interpret and solve
   * pages: the server, the puzzles, the fetch policy, a compute experiment's
   * tasks. Not the frontier, which stays with the coordinator. */
  concur_status (*describe_run)(concur_run *run, concur_bytes *out);
  /* Worker process (a plugin's serve()): a run made from describe_run's
   * bytes. It has no frontier (take returns CONCUR_FINISHED): its tasks come
   * from decode_task. NULL with a message in err when the bytes are not a
   * run's description. */
  concur_run *(*open_run)(const void *description, size_t size, char *err, size_t err_size);
  /* Ends a run open_run made; close its workers first. */
  void (*close_run)(concur_run *run);
  /* Why the run was aborted (e.g. its server is unreachable); "" while all
   * is well. Valid until the next call on the run. */
  const char *(*run_error)(concur_run *run);

  /* -- since 1.3 (check CONCUR_HOST_HAS(host, task_urgency)): solve order.
   * How soon a taken task's puzzle matters to the crawl: the latest expected
   * finish (seconds) among the pages discovered through it, when the host
   * knows the server's whole graph; 0 otherwise, and for pages without a
   * puzzle. A strategy that queues puzzles for its solvers serves the larger
   * first (ties: first come, first served), so the pages its hidden links
   * lead to start sooner. Thread-safe; constant for the task's life. A task
   * made by decode_task (another process's) reports 0. */
  double (*task_urgency)(const concur_task *task);
} concur_host;

/* ---- the plugin descriptor ---------------------------------------------- */

typedef struct concur_plugin {
  uint32_t abi_version; /* CONCUR_ABI_VERSION the plugin was built against */
  uint32_t struct_size; /* sizeof(concur_plugin) */

  /* -- since 1.0: what every descriptor holds (it ends at run). */
  const char *name; /* how configs refer to it: [a-z0-9_]+ */
  const char *version;
  const char *description; /* one line */
  const concur_option_spec *options;
  size_t option_count;
  /* Optional (may be NULL): called once after loading. Nonzero refuses the
   * plugin; write why into err (NUL-terminated, at most err_size bytes). */
  int (*init)(char *err, size_t err_size);
  /* One run to completion: take tasks until take returns CONCUR_FINISHED,
   * completing every task taken, and close every worker opened. Return 0, or
   * nonzero with a message in err when the strategy itself failed. */
  int (*run)(const concur_host *host, concur_run *run, char *err, size_t err_size);

  /* -- since 1.2. Optional (may be NULL); the host reads it only when
   * CONCUR_PLUGIN_HAS(descriptor, serve). Serves work that a run on another
   * process hands out: `concur worker` calls it with its command line as
   * "key=value" strings ("redis=redis://10.0.0.1:6379", "id=host-b"). Return
   * 0 when done serving, or nonzero with a message in err: 2 when the user
   * must fix the arguments (a bad URL, refused credentials; `concur worker`
   * then exits 2), any other value when serving failed. */
  int (*serve)(const concur_host *host, const char *const *args, size_t arg_count, char *err,
               size_t err_size);
} concur_plugin;

typedef const concur_plugin *(*concur_plugin_entry_fn)(void);

/* Opens a descriptor written with designated initializers: fills its two
 * header fields. Naming every member makes two swapped functions of the same
 * type a visible mistake, and members left out are zero, so an absent init or
 * serve need not be written:
 *   static const concur_plugin descriptor = {
 *       CONCUR_PLUGIN_INIT, .name = "mine", .version = "1.0",
 *       .description = "one line", .run = run};
 */
#define CONCUR_PLUGIN_INIT \
  .abi_version = CONCUR_ABI_VERSION, .struct_size = (uint32_t)sizeof(concur_plugin)

/* The same two fields for a descriptor initialized in order, without member
 * names (as plugins were written before CONCUR_PLUGIN_INIT; still valid). */
#define CONCUR_PLUGIN_HEADER CONCUR_ABI_VERSION, (uint32_t)sizeof(concur_plugin)

/* True when the host table holds `member`: the host that passed it was built
 * with that member (it is in its struct_size). Check any member marked "since
 * 1.1" or later before calling it:
 *   if (!CONCUR_HOST_HAS(host, solve_tasks)) ... solve unit by unit ... */
#define CONCUR_HOST_HAS(host, member) \
  (offsetof(concur_host, member) + sizeof((host)->member) <= (size_t)(host)->struct_size)

/* The same for a plugin's descriptor, as the host reads it. */
#define CONCUR_PLUGIN_HAS(desc, member) \
  (offsetof(concur_plugin, member) + sizeof((desc)->member) <= (size_t)(desc)->struct_size)

#ifdef __cplusplus
}
#endif

#endif /* CONCUR_PLUGIN_H */
