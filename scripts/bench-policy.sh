#!/usr/bin/env bash
# The crawl policy against the tail, and the course's asyncio crawler beside it:
#   scripts/bench-policy.sh [--quick | --smoke] [--repeat R] [--pages N] [--csv PATH]
# A whole-graph crawl of our server at delay_scale 1 (default delays: regular
# 0.5 s, delay 5 s, failure 0.5 s failing 90% of the time), small puzzles.
# Variants, each against a freshly started server of the same seed (so every
# run meets the same failures):
#   python asyncio   the course's asyncio+aiohttp crawler, 200 in flight
#   async            concur async, 200 in flight, retries at once (no hedging)
#   async hedge=N    the same, each retry sent as N parallel copies (2, 4, 8, 16)
#   async hedge=auto the copies each page's slack asks for (docs/config.md, hedge)
#   fibers hedge=16, threads(200) hedge=16: the other models, same policy
# Targets: the best hedged variant's
# wall <= 1.15 x the optimistic critical path (one attempt per page, over the
# whole graph: the run's critical_path_s with bound_basis=graph), and >= 1.8x
# faster than python asyncio; hedge=auto: wall <= 1.01 x that path with <= 1.6
# requests per page. Server requests per page are reported with and without
# hedging. Targets are printed, never asserted.
# --quick: one repeat on 300 pages (~1.5 min); default 3 repeats on 1000 pages
# (~7 min), interleaved, medians shown. --smoke: every variant once on 40 pages
# at delay_scale 0.05 (~15 s), to check the script and its table, not a
# measurement. CONCUR_BIN=PATH uses that binary.
# Writes results/bench/policy-<UTC time>.csv.
set -euo pipefail
# shellcheck source=scripts/bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"

bench_args "$@"
[[ -z $repeat ]] && { ((quick || smoke)) && repeat=1 || repeat=3; }
[[ -z $pages ]] && { ((smoke)) && pages=40 || { ((quick)) && pages=300 || pages=1000; }; }
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "--repeat must be an integer >= 1 (got '$repeat')"
[[ $pages =~ ^[1-9][0-9]*$ ]] || die "--pages must be an integer >= 1 (got '$pages')"

need_tools timeout awk ss
need_python hashlib requests aiohttp
ensure_binary
out_csv=$(csv_path policy "$csv_arg")
RUNS=$BENCH_TMP/runs
mkdir -p "$RUNS"
delay_scale=$( ((smoke)) && echo 0.05 || echo 1)
SERVER_ARGS=(--seed 42 --pages "$pages" --delay-scale "$delay_scale" --cpu-iterations 1000 --core-iterations 1000)
BOUND_S=300   # no run of this lab may take longer: 10x the unhedged crawl

# variant NAME: runs it once against a fresh server; leaves $RUNS/NAME-REP.{csv,json}.
variant() {
  local name=$1 rc=0 stem
  stem=$RUNS/${name// /_}-$rep
  start_server "$stem.server.log" "${SERVER_ARGS[@]}"
  log "[$rep/$repeat] $name (load $(load1))"
  case $name in
    "python asyncio")
      timeout -k 5 "$BOUND_S" "$PY" "$BENCH_ROOT/scripts/peers/crawl_asyncio.py" "$SERVER_URL" \
        --max-pages 0 --retries 50 --timeout-ms 10000 --concurrency 200 \
        >"$stem.json" 2>"$stem.err" || rc=$?
      ;;
    *)
      local plugin=${name%% *} hedge=0
      [[ $name == *hedge=* ]] && hedge=${name##*hedge=}
      {
        echo "name: bench-policy"
        echo "server: {base_url: '$SERVER_URL'}"
        echo "crawl: {max_pages: 0, retries: 50, timeout_ms: 10000, hedge: $hedge}"
        echo "strategies:"
        case $plugin in
          async | fibers) echo "  - {plugin: $plugin, $([[ $plugin == async ]] && echo concurrency || echo fibers): 200}" ;;
          threads) echo "  - {plugin: threads, workers: 200}" ;;
        esac
      } >"$stem.yaml"
      timeout -k 5 "$BOUND_S" "$CONCUR_BIN" run -q "$stem.yaml" --out "$stem.csv" \
        >"$stem.out" 2>"$stem.err" || rc=$?
      ;;
  esac
  ((rc == 0)) || log "  exited $rc: $(tail -n 1 "$stem.err" || true)"
  stop_pid "$SERVER_PID"
  BENCH_PIDS=()
}

VARIANTS=("python asyncio" "async" "async hedge=2" "async hedge=4" "async hedge=8" "async hedge=16"
  "async hedge=auto" "fibers hedge=16" "threads hedge=16")
"$CONCUR_BIN" plugins --describe fibers >/dev/null 2>&1 || VARIANTS=("${VARIANTS[@]/fibers hedge=16/}")
log "load $(load1) before start ($(nproc) cores), $pages pages, repeat $repeat, binary $CONCUR_BIN"
for ((rep = 1; rep <= repeat; rep++)); do
  for v in "${VARIANTS[@]}"; do [[ -n $v ]] && variant "$v"; done
done

"$PY" "$BENCH_ROOT/scripts/bench_policy_table.py" "$RUNS" "$out_csv"
log "wrote $out_csv"
