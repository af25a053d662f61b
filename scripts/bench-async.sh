#!/usr/bin/env bash
# The async strategy (and fibers, when its plugin is there) against its targets:
#   scripts/bench-async.sh [--quick | --smoke] [--repeat R] [--throughput-pages N]
#                          [--throughput-iterations K] [--csv PATH]
#   1. bound: delay 0.1, 1000 pages - wall <= 1.2 x the run's lower bound
#   2. throughput: delay 0, N pages (100,000; --quick 20,000) - async and fibers
#      >= 60,000 pages/s on one client thread; client RSS per in-flight request
#   3. 10,000 in flight: 5 s delay pages - wall <= 1.03 x 5 s and <= 150 MB at
#      >= 10,000 in flight
#   4. the course's asyncio+aiohttp crawler beside async on test 1's server: its client
#      CPU >= 10 x async's
#   5. memory per page: async on test 2's server stopped at 1/10, 3/10 and all of its
#      pages - peak memory grows <= 0.3 KB per page
# Peers without a target: threads (tests 1, 2). fibers runs only when its plugin
# is there. --quick: one run of each, test 2 on 20,000 pages (~2 min in all; the
# full run ~8 min: test 3 waits up to 75 s before each run for the previous
# run's TIME_WAIT sockets to clear). --smoke: every run once on labs of 100, 1,000 and 600 pages
# with delays x0.01 and 0.5 s delay pages in test 3 (~20 s), to check the script
# and its table, not a measurement. --repeat R: runs of each configuration (default 3),
# interleaved; medians are shown. --throughput-iterations K: md5-chain length
# of test 2's puzzles (default 1: the test measures the crawl, not md5).
# CONCUR_BIN=PATH uses that binary (its plugins/ beside it) instead of
# building build/concur.
# Writes results/bench/async-<UTC time>.csv. Targets are printed, never asserted.
set -euo pipefail
# shellcheck source=scripts/bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"

quick=0
repeat=""
tp_pages=""
tp_iterations=1
csv_arg=""
while (($#)); do
  case $1 in
    --quick) quick=1; shift ;;
    --smoke) smoke_start; shift ;;
    --repeat) repeat=${2:?--repeat needs a value}; shift 2 ;;
    --throughput-pages) tp_pages=${2:?--throughput-pages needs a value}; shift 2 ;;
    --throughput-iterations) tp_iterations=${2:?--throughput-iterations needs a value}; shift 2 ;;
    --csv) csv_arg=${2:?--csv needs a value}; shift 2 ;;
    -h | --help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ -z $repeat ]] && { ((quick || smoke)) && repeat=1 || repeat=3; }
[[ -z $tp_pages ]] && { ((smoke)) && tp_pages=1000 || { ((quick)) && tp_pages=20000 || tp_pages=100000; }; }
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "--repeat must be an integer >= 1 (got '$repeat')"
[[ $tp_pages =~ ^[1-9][0-9]*$ ]] || die "--throughput-pages must be an integer >= 1 (got '$tp_pages')"
[[ $tp_iterations =~ ^[1-9][0-9]*$ ]] || die "--throughput-iterations must be an integer >= 1 (got '$tp_iterations')"

need_tools timeout awk ss
need_python hashlib requests aiohttp
ensure_binary
out_csv=$(csv_path async "$csv_arg")
HELPER=$BENCH_ROOT/scripts/bench_async_table.py
PEERS=$BENCH_ROOT/scripts/peers
RUNS=$BENCH_TMP/runs          # one K.meta (+ K.csv or K.json) per run, for the report
mkdir -p "$RUNS"
run_no=0
skipped=()                    # tests that could not run, said again under the table

# 10,000 requests in flight need 10,000 sockets on each side; the server of test 3
# is a process of its own, so each side has its own copy of this limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FD_LIMIT=$(ulimit -n)

# Tiny puzzles: the bound and in-flight tests measure scheduling, not md5.
PUZZLE_ARGS=(--cpu-iterations 1000 --core-iterations 1000)

has_fibers=0
"$CONCUR_BIN" plugins --describe fibers >/dev/null 2>&1 && has_fibers=1
((has_fibers)) || log "no fibers plugin beside $CONCUR_BIN: its runs are skipped"

# ---------------------------------------------------------------- helpers

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }

# stop_server PID: stops a server this script started and forgets it, so that the
# exit trap never signals a PID that may since have been reused.
stop_server() {
  local pid=$1 keep=() p
  stop_pid "$pid"
  for p in "${BENCH_PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
  BENCH_PIDS=("${keep[@]}")
}

# start_timed LOG ARGS...: start_server, and SERVER_START_S = launch to /health.
start_timed() {
  local t0
  t0=$(now)
  start_server "$@"
  SERVER_START_S=$(since "$t0")
  log "server $SERVER_URL (pid $SERVER_PID) answers /health after ${SERVER_START_S} s"
}

# id_length_for PAGES: the shortest id length the server accepts (16^L >= 8 x pages).
id_length_for() {
  local n=$1 len=1 ids=16
  while ((ids < 8 * n)); do len=$((len + 1)); ids=$((ids * 16)); done
  echo "$len"
}

# new_run TEST IMPL STRATEGY LIMIT: the next run's file stem in $RUNS; starts its meta.
new_run() {
  run_no=$((run_no + 1))
  RUN=$RUNS/$(printf '%03d' "$run_no")
  {
    echo "test=$1"
    echo "impl=$2"
    echo "strategy=$3"
    echo "in_flight_limit=$4"
    echo "repeat=$rep"
    echo "server=$SERVER_DESC"
    echo "server_start_s=$SERVER_START_S"
  } >"$RUN.meta"
}

# end_run RC: closes the meta: exit code, load and time, the error's last line.
end_run() {
  {
    echo "rc=$1"
    echo "load1=$(load1)"
    echo "time_utc=$(date -u +%H:%M:%S)"
    echo "err=$(grep -v '^concur: wrote' "$RUN.err" 2>/dev/null | tail -n 1 | tr -d '\r' || true)"
  } >>"$RUN.meta"
  case $1 in
    0) ;;
    124 | 137) log "  overran its bound and was stopped" ;;
    *) log "  exited $1: $(grep -v '^concur: wrote' "$RUN.err" | tail -n 1 || true)" ;;
  esac
  kill -0 "$SERVER_PID" 2>/dev/null || die "the server died (see $BENCH_TMP/*.log)"
}

# concur_once TEST BOUND_S START MAX_PAGES TIMEOUT_MS LIMIT PLUGIN [KEY=VALUE]...
# One `concur run` of one option set against $SERVER_URL, bounded by `timeout`,
# so one plugin that hangs costs its bound and no more.
concur_once() {
  local test=$1 bound=$2 start=$3 max_pages=$4 timeout_ms=$5 limit=$6 plugin=$7 kv rc=0
  shift 7
  new_run "$test" concur "$plugin" "$limit"
  echo "max_pages=$max_pages" >>"$RUN.meta"
  {
    echo "name: bench-async-$test"
    echo "server:"
    echo "  base_url: $SERVER_URL"
    echo "crawl:"
    echo "  start: '$start'"
    echo "  max_pages: $max_pages"
    echo "  timeout_ms: $timeout_ms"
    echo "  retries: 50"
    echo "strategies:"
    echo "  - plugin: $plugin"
    for kv in "$@"; do echo "    ${kv%%=*}: ${kv#*=}"; done
  } >"$RUN.yaml"
  log "[$test] $plugin $* (max_pages $max_pages, bound ${bound} s, load $(load1))"
  timeout -k 5 "$bound" "$CONCUR_BIN" run -q "$RUN.yaml" --out "$RUN.csv" >"$RUN.out" 2>"$RUN.err" || rc=$?
  end_run "$rc"
}

# python_asyncio BOUND_S CONCURRENCY: the course's asyncio+aiohttp crawler, whole graph.
python_asyncio() {
  local rc=0
  new_run python python "python asyncio" "$2"
  log "[python] crawl_asyncio.py --concurrency $2 (bound $1 s, load $(load1))"
  timeout -k 5 "$1" "$PY" "$PEERS/crawl_asyncio.py" "$SERVER_URL" --max-pages 0 --retries 50 \
    --timeout-ms 10000 --concurrency "$2" >"$RUN.json" 2>"$RUN.err" || rc=$?
  end_run "$rc"
}

# start_embedded_host LOG YAML: a `concur run` whose embedded demo server is test 3's
# server. `concur serve` has no flags for per-type shares and delays; the YAML
# server section has (docs/config.md). The host's own crawl is a sequential one
# that waits 5 s on each delay page, so it keeps the server up at almost no load
# until it is stopped by PID. Sets SERVER_PID (the `timeout` wrapping it, which
# passes SIGTERM on), SERVER_URL and SERVER_START_S. Returns 1 (the host stopped)
# when it cannot: test 3 is then skipped, the other tests are still reported.
start_embedded_host() {
  local logf=$1 cfg=$2 i url="" t0
  t0=$(now)
  timeout -k 5 1800 "$CONCUR_BIN" run -q "$cfg" --out "$BENCH_TMP/host-runs.csv" >"$logf" 2>&1 &
  SERVER_PID=$!
  BENCH_PIDS+=("$SERVER_PID")
  for ((i = 0; i < 600; i++)); do      # 60 s at most
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      tail -n 20 "$logf" >&2
      log "the host of test 3's server exited during start-up"
      stop_server "$SERVER_PID"
      return 1
    fi
    url=$(grep -oE 'embedded demo server on http://127\.0\.0\.1:[0-9]+' "$logf" | head -n1 | sed 's/.* on //' || true)
    if [[ -n $url ]] && http_get "$url/health" >/dev/null 2>&1; then
      SERVER_URL=$url
      SERVER_START_S=$(since "$t0")
      log "test 3's server $SERVER_URL (host pid $SERVER_PID) answers /health after ${SERVER_START_S} s"
      return 0
    fi
    sleep 0.1
  done
  tail -n 20 "$logf" >&2
  log "test 3's server did not answer /health within 60 s"
  stop_server "$SERVER_PID"
  return 1
}

log "load $(load1) before start ($(nproc) cores), fd limit $FD_LIMIT, repeat $repeat, binary $CONCUR_BIN"

# ---------------------------------------------------------------- tests 1 and 4
# One server for both: 1000 pages, delays x 0.1 (regular 50 ms, delay 500 ms), no
# failures (so every run makes the same 1000 requests).
bound_pages=$( ((smoke)) && echo 100 || echo 1000)
bound_delay=$( ((smoke)) && echo 0.01 || echo 0.1)
SERVER_DESC="serve --seed 42 --pages $bound_pages --delay-scale $bound_delay --failure-rate 0 --cpu/core-iterations 1000"
start_timed "$BENCH_TMP/server-bound.log" --seed 42 --pages "$bound_pages" --delay-scale "$bound_delay" --failure-rate 0 "${PUZZLE_ARGS[@]}"
for ((rep = 1; rep <= repeat; rep++)); do
  concur_once bound 120 root 0 10000 200 async concurrency=200 executor=inline
  concur_once bound 120 root 0 10000 200 async concurrency=200 executor=threads
  if ((has_fibers)); then
    concur_once bound 120 root 0 10000 200 fibers fibers=200 cpu_offload=false
    concur_once bound 120 root 0 10000 200 fibers fibers=200 cpu_offload=true
  fi
  concur_once bound 120 root 0 10000 200 threads workers=200
done
# Test 4 on the same server: concur async and Python asyncio, both 200 pages in
# flight, puzzles inline on the loop in both (concur also with lanes: a core
# page's chains in SIMD lanes, which hashlib has no counterpart of); who goes
# first alternates.
for ((rep = 1; rep <= repeat; rep++)); do
  if ((rep % 2)); then
    concur_once python 120 root 0 10000 200 async concurrency=200 executor=inline
    concur_once python 120 root 0 10000 200 async concurrency=200 executor=inline lanes=true
    python_asyncio 300 200
  else
    python_asyncio 300 200
    concur_once python 120 root 0 10000 200 async concurrency=200 executor=inline lanes=true
    concur_once python 120 root 0 10000 200 async concurrency=200 executor=inline
  fi
done
stop_server "$SERVER_PID"

# ---------------------------------------------------------------- test 2
# Delays 0, no failures: pages/s is the client's and the server's CPU per page.
# Puzzles of length 1 by default: with 1000, md5 alone takes ~9 s per 100,000
# pages on the loop thread (executor inline), a ceiling of ~11,000 pages/s that
# has nothing to do with the loop.
tp_idlen=$(id_length_for "$tp_pages")
SERVER_DESC="serve --seed 42 --pages $tp_pages --id-length $tp_idlen --delay-scale 0 --failure-rate 0 --cpu/core-iterations $tp_iterations"
start_timed "$BENCH_TMP/server-throughput.log" --seed 42 --pages "$tp_pages" --id-length "$tp_idlen" \
  --delay-scale 0 --failure-rate 0 --cpu-iterations "$tp_iterations" --core-iterations "$tp_iterations"
tp_bound=$((60 + tp_pages / 500))      # >= 500 pages/s, or something is wrong
for ((rep = 1; rep <= repeat; rep++)); do
  concur_once throughput "$tp_bound" root 0 10000 200 async concurrency=200 executor=inline
  if ((has_fibers)); then concur_once throughput "$tp_bound" root 0 10000 200 fibers fibers=200; fi
  concur_once throughput "$tp_bound" root 0 10000 8 threads workers=8
done
# Test 5 on the same server: the same crawl stopped at a tenth, 3 tenths and all
# of its pages; what each page adds to the peak memory is the slope.
for ((rep = 1; rep <= repeat; rep++)); do
  for tenths in 1 3 10; do
    concur_once memory "$tp_bound" root $((tp_pages * tenths / 10)) 10000 200 async concurrency=200 executor=inline
  done
done
stop_server "$SERVER_PID"

# ---------------------------------------------------------------- test 3
# A crawl finds pages only through links, and a delay page's links arrive with
# it, 5 s later. So: regular pages answer at once (delays_ms.regular 0), delay
# pages in 5 s, nothing else (failure, cpu and core shares 0), and ~30 links per
# page (extra_edges), so that from a regular start page the regular pages reach
# ~1,860 regular and ~10,500 delay pages in a few breadth-first levels. The plan
# (bench_async_table.py plan, from /api/cheat/) picks the start and sets
# max_pages to exactly that set S: every page the crawl takes is found before the
# first delay page answers, and all of S's delay pages are in flight together.
INF_PAGES=12500
INF_DELAY_MS=5000
INF_MIN_DELAY=10000
if ((smoke)); then INF_PAGES=600 INF_DELAY_MS=500 INF_MIN_DELAY=300; fi
INF_EXTRA_EDGES=$((29 * INF_PAGES))    # 29 per page, plus the tree's one
INF_SHARES="{regular: 0.15, delay: 0.85, failure: 0, cpu: 0, core: 0}"
INF_MAXCONN=$((FD_LIMIT - 500))
cat >"$BENCH_TMP/host.yaml" <<YAML
# written by scripts/bench-async.sh: hosts test 3's demo server (see start_embedded_host)
name: bench-async-host
server:
  seed: 42
  pages: $INF_PAGES
  id_length: $(id_length_for "$INF_PAGES")
  extra_edges: $INF_EXTRA_EDGES
  delay_scale: 1
  failure_rate: 0
  cpu_iterations: 1
  core_iterations: 1
  max_connections: $INF_MAXCONN
  shares: $INF_SHARES
  delays_ms: {regular: 0, delay: $INF_DELAY_MS}
crawl:
  start: root
  max_pages: 0
strategies:
  - plugin: sequential
YAML
SERVER_START_S=""
inf_runs=0
inf_plan=""
host_up=0
if start_embedded_host "$BENCH_TMP/server-inflight.log" "$BENCH_TMP/host.yaml"; then
  host_up=1
  inf_runs=$repeat
  inf_plan=$("$PY" "$HELPER" plan "$SERVER_URL" --min-delay "$INF_MIN_DELAY") || { skipped+=("test 3: no crawl plan"); inf_runs=0; }
else
  skipped+=("test 3: its server did not start (see above)")
fi
read -r inf_start inf_pages inf_delay inf_regular <<<"${inf_plan:-- 0 0 0}"
if ((inf_runs)); then
  log "test 3 plan: start $inf_start, max_pages $inf_pages = $inf_delay delay + $inf_regular regular pages"
  ((inf_delay >= INF_MIN_DELAY)) || log "NOTE: only $inf_delay delay pages are reachable before the first answers: fewer than $INF_MIN_DELAY in flight"
  if ((inf_pages + 200 > FD_LIMIT)); then
    skipped+=("test 3: $inf_pages requests in flight need more descriptors than the limit $FD_LIMIT")
    inf_runs=0
  fi
fi
SERVER_DESC="concur run (embedded server) --seed 42 --pages $INF_PAGES --extra-edges $INF_EXTRA_EDGES"
SERVER_DESC+=" shares $INF_SHARES delays_ms {regular: 0, delay: $INF_DELAY_MS} max_connections $INF_MAXCONN;"
SERVER_DESC+=" start $inf_start, max_pages $inf_pages ($inf_delay delay)"
# After each run: the plan (the report infers the in-flight count from it for a
# plugin without an in_flight_high_water metric) and the server's own lateness.
plan_meta() {
  {
    echo "plan_pages=$inf_pages"
    echo "plan_delay=$inf_delay"
    echo "server_delay_err_max_ms=$(server_metrics "$SERVER_URL" | awk '{print $4}')"
  } >>"$RUN.meta"
}
# settle_time_wait: waits (at most 75 s) until fewer than 500 TCP sockets on this
# machine are in TIME_WAIT. Each run of this test leaves ~10,500 for 60 s, and a
# run that starts among them connects slower (its ephemeral ports are searched
# around them): 5.9 s for a first run, 6.2 s for runs 7 s apart. Each run here
# starts as the first would.
settle_time_wait() {
  local t0 waiting i
  ((smoke)) && return 0   # a smoke run measures nothing: no wait
  t0=$(now)
  for ((i = 0; i < 75; i++)); do
    waiting=$(ss -tan state time-wait | tail -n +2 | wc -l)
    ((waiting < 500)) && break
    sleep 1
  done
  ((i == 0)) || log "  waited $(since "$t0") s for TIME_WAIT sockets to clear ($waiting left)"
}
# The concurrency (and fibers) equal max_pages so no slot limit binds: with fewer
# slots than delay pages the rest would wait for the first answers, 5 s more.
# A 20 s request timeout: a late answer must not turn into a retry.
for ((rep = 1; rep <= inf_runs; rep++)); do
  settle_time_wait
  concur_once inflight 60 "$inf_start" "$inf_pages" 20000 "$inf_pages" async concurrency="$inf_pages" executor=inline
  plan_meta
  if ((has_fibers)); then
    settle_time_wait
    concur_once inflight 60 "$inf_start" "$inf_pages" 20000 "$inf_pages" fibers fibers="$inf_pages"
    plan_meta
  fi
done
if ((host_up)); then stop_server "$SERVER_PID"; fi

# ---------------------------------------------------------------- report
trc=0
"$PY" "$HELPER" report --dir "$RUNS" --out "$out_csv" --run-id "$BENCH_RUN_ID" || trc=$?
# Every run's own files (concur's full CSV row, YAML, stderr; the peer's JSON line)
# are kept beside the CSV: the table shows a digest of them.
raw_dir=${out_csv%.csv}.runs
mkdir -p "$raw_dir"
cp "$RUNS"/* "$BENCH_TMP"/*.log "$BENCH_TMP/host.yaml" "$raw_dir/" || log "could not copy every run's files to $raw_dir"
cat <<NOTE

Test 3's server is an embedded demo server hosted by a separate \`concur run\` process
(\`concur serve\` has no per-type shares or delays); its own sequential crawl waits on
delay pages and adds next to no load.
NOTE
echo "CSV: $out_csv (each run's own files: $raw_dir/)"
((has_fibers)) || echo "fibers: no plugin beside $CONCUR_BIN, its runs were skipped"
for msg in "${skipped[@]}"; do echo "SKIPPED: $msg"; done
((${#skipped[@]} == 0)) || trc=1
exit "$trc"
