#!/usr/bin/env bash
# concur's crawl strategies against the course's Python crawlers (scripts/peers/),
# one demo server for all, same work (docs: scripts/peers/README.md).
#   scripts/bench-crawl.sh [--pages N] [--delay-scale X] [--quick | --smoke]
#   scripts/bench-crawl.sh --cpu-heavy [--reference] [--pages N] [--delay-scale X] [--repeat R] [--quick | --smoke]
# --pages N: max_pages of every run (0 = the whole 1000-page graph; --quick: 300).
# --quick skips the Python sequential peer (the slowest run). Writes
# results/bench/crawl-concur.csv (concur's own rows) and results/bench/crawl.csv.
# Targets (printed, not asserted): threads(32), producer_consumer >= 20x concur
# sequential pages/s; processes(8) >= 10x.
# --smoke: every run, Python sequential too, on 40 pages of a 200-page lab with tiny
# puzzles at delay_scale 0.01 (~15 s), to check the script and its table, not a
# measurement; its CSVs go to results/bench/smoke/.
#
# --cpu-heavy: a separate measurement, concur only: do its strategies keep every
# core busy on a crawl whose puzzles are heavy while the I/O goes on? A graph of
# 250 pages per core (nproc; --quick: 100; --pages N: N pages), crawled whole,
# delay_scale 0.1, puzzles of 2,000,000 md5 steps (cpu pages: one chain; core
# pages: four chains of 500,000), so each run has ~10 s of puzzle work per core
# on any machine. Strategies, sized from nproc (N), each with up to 200 pages in
# flight: async with a threads executor of N, producer_consumer with 200
# producers and N consumers, threads 200; and threads 4N (the reference's
# width); the first three again under `hedge: auto`, interleaved with the default
# policy's runs. Each row's efficiency (concur's own: lower_bound_s / wall_s, the
# bound being the larger of the critical path and all solve CPU over every core)
# is printed beside the goal >= 0.9, with the machine's load and the CPU other
# processes took meanwhile. --repeat R: R runs of each (default 1). ~1 min on 2
# cores (plus ~15 s the first time, while the server makes its puzzles; they are
# cached). --smoke: 30 pages per core, tiny puzzles, delay_scale 0.01 (seconds).
# --reference: the shape of a 16-core reference measurement instead (the
# 1000-page graph, 2,000,000-step puzzles): the 1000-page graph with puzzles of
# 2,000,000 x nproc/16 steps, so each core has the same work as there (~2.5 s;
# on 16 cores it is that measurement). Its I/O is then as long as its CPU work:
# the hard case. ~1.5 min with --repeat 3 on 2 cores. docs/benchmarks.md has figures.
# Writes results/bench/crawl-cpu-<UTC>.csv (the table) and crawl-cpu-<UTC>.runs.csv
# (concur's rows).
set -euo pipefail
# shellcheck source=scripts/bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"

pages=""
delay_scale=0.1
quick=0
cpu_heavy=0
reference=0
repeat=""
while (($#)); do
  case $1 in
    --pages) pages=${2:?--pages needs a value}; shift 2 ;;
    --delay-scale) delay_scale=${2:?--delay-scale needs a value}; shift 2 ;;
    --quick) quick=1; shift ;;
    --cpu-heavy) cpu_heavy=1; shift ;;
    --reference) reference=1; shift ;;
    --repeat) repeat=${2:?--repeat needs a value}; shift 2 ;;
    --smoke) smoke_start; shift ;;
    -h | --help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
if ((cpu_heavy)); then
  # shellcheck source=scripts/bench_crawl_cpu.sh
  source "$(dirname "$0")/bench_crawl_cpu.sh"   # runs the mode and exits
fi
[[ -z $repeat ]] || die "--repeat goes with --cpu-heavy"
((reference == 0)) || die "--reference goes with --cpu-heavy"
[[ -z $pages ]] && { ((smoke)) && pages=40 || { ((quick)) && pages=300 || pages=0; }; }
((smoke)) && delay_scale=0.01
[[ $pages =~ ^[0-9]+$ ]] || die "--pages must be an integer >= 0 (got '$pages')"
[[ $delay_scale =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--delay-scale must be a number >= 0 (got '$delay_scale')"

SERVER_PAGES=$( ((smoke)) && echo 200 || echo 1000)
PUZZLES=(--cpu-iterations 200000 --core-iterations 50000)
((smoke)) && PUZZLES=(--cpu-iterations 2000 --core-iterations 1000)
RETRIES=50
TIMEOUT_MS=10000
PEERS=$BENCH_ROOT/scripts/peers
# Every run is bounded: the whole graph sequentially costs ~140 s (concur) to
# ~180 s (Python) at delay scale 0.1, delay pages alone 50 s; the bound leaves
# room for a loaded machine, and scales with the delays.
RUN_BOUND_S=$(awk -v d="$delay_scale" 'BEGIN {printf "%d", 300 + 4000 * d}')
CONCUR_BOUND_S=$((RUN_BOUND_S * 3))   # five runs in one invocation, sequential the longest

need_tools timeout awk
need_python hashlib requests aiohttp
ensure_binary

out_dir=$BENCH_OUT
concur_csv=$(csv_path crawl-concur "$out_dir/crawl-concur.csv")
crawl_csv=$(csv_path crawl "$out_dir/crawl.csv")
rm -f "$concur_csv"

log "load $(load1) before start ($(nproc) cores); server: $SERVER_PAGES pages, seed 42, delay_scale $delay_scale"
start_server "$BENCH_TMP/server.log" --seed 42 --pages "$SERVER_PAGES" --delay-scale "$delay_scale" "${PUZZLES[@]}"
log "server $SERVER_URL (pid $SERVER_PID) answers /health"
# The whole graph (max_pages 0) is every page reachable from the first: all of them.
expected=$pages
((pages == 0)) && expected=$SERVER_PAGES

# ---------------------------------------------------------------- concur
cfg=$BENCH_TMP/crawl-bench.yaml
cat >"$cfg" <<YAML
# written by scripts/bench-crawl.sh
name: crawl-bench
server:
  base_url: $SERVER_URL     # the server announces its puzzles at /
crawl:
  start: root
  max_pages: $pages
  timeout_ms: $TIMEOUT_MS
  retries: $RETRIES
strategies:
  - plugin: sequential
  - plugin: threads
    workers: [8, 32]
  - plugin: processes
    workers: [8]
  - plugin: producer_consumer
    producers: [32]
    consumers: [2]
    queue_capacity: [16]
repeat: 1
output:
  runs: $concur_csv
YAML

log "concur: 5 runs (max_pages $pages), bound ${CONCUR_BOUND_S} s, load $(load1)"
run_concur_bounded "$CONCUR_BOUND_S" "$cfg" "$concur_csv"
concur_load=$(load1)
kill -0 "$SERVER_PID" 2>/dev/null || die "the server died during concur's runs (see $BENCH_TMP/server.log)"

# ---------------------------------------------------------------- Python peers
peer_dir=$BENCH_TMP/peers
mkdir -p "$peer_dir"
peer_runs=()
((quick)) || peer_runs+=("sequential|crawl_sequential.py|")
peer_runs+=("threading|crawl_threading.py|--workers 32")
peer_runs+=("asyncio|crawl_asyncio.py|--concurrency 100")
peer_runs+=("multiprocessing|crawl_multiprocessing.py|--workers 8")
((quick)) && log "--quick: the Python sequential peer is skipped"

k=0
for spec in "${peer_runs[@]}"; do
  IFS='|' read -r peer file opts <<<"$spec"
  k=$((k + 1))
  log "python $peer $opts (max_pages $pages), bound ${RUN_BOUND_S} s, load $(load1)"
  prc=0
  # shellcheck disable=SC2086  # opts is a word list on purpose
  timeout -k 5 "$RUN_BOUND_S" "$PY" "$PEERS/$file" "$SERVER_URL" --max-pages "$pages" \
    --retries "$RETRIES" --timeout-ms "$TIMEOUT_MS" $opts >"$peer_dir/$k.out" 2>"$peer_dir/$k.err" || prc=$?
  {
    echo "peer=$peer"
    echo "options=$(sed 's/^--//; s/ \{1,\}/=/' <<<"$opts")"
    echo "rc=$prc"
    echo "load1=$(load1)"
    echo "time_utc=$(date -u +%H:%M:%S)"
  } >"$peer_dir/$k.meta"
  ((prc == 0)) || log "python $peer exited $prc: $(tail -n 1 "$peer_dir/$k.err")"
  kill -0 "$SERVER_PID" 2>/dev/null || die "the server died during python $peer (see $BENCH_TMP/server.log)"
done

# ---------------------------------------------------------------- table
echo
echo "crawl: $SERVER_PAGES-page graph, seed 42, delay_scale $delay_scale, ${PUZZLES[1]} cpu / ${PUZZLES[3]} core iterations;" \
  "max_pages $pages, retries $RETRIES, timeout ${TIMEOUT_MS} ms; $(nproc) cores"
trc=0
"$PY" "$PEERS/bench_crawl_table.py" --concur "$concur_csv" --peers "$peer_dir" --out "$crawl_csv" \
  --run-id "$BENCH_RUN_ID" --max-pages "$pages" --delay-scale "$delay_scale" --expected "$expected" \
  --concur-load "$concur_load" || trc=$?
cat <<NOTE
pages/s = pages_ok / wall_s; "x own seq" and "x concur seq" are ratios of pages/s.
load1 = 1-minute load average after each run (concur: after its five runs); figures on a
shared machine are only as good as that number.
Note: this server is external to every crawler, so its failure counters are NOT reset
between runs (concur resets only its embedded server's): each run meets a different,
identically distributed sequence of failures, so requests differ run to run.
NOTE
echo "CSV: $crawl_csv (concur's own rows: $concur_csv)"
((rc == 0 && trc == 0)) || exit 1
