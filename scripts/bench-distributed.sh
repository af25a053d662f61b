#!/usr/bin/env bash
# The distributed strategy against threads with the same total concurrency.
#   scripts/bench-distributed.sh [--quick | --smoke] [--repeat R] [--pages N] [--csv PATH]
# One `concur run` (repeats go round the matrix) on the embedded server at
# delay_scale 0.1 with small puzzles (200,000 / 50,000 md5 steps):
#   threads      16 workers
#   distributed  4 local worker processes x 4 threads, through a redis-server
#                this script starts on a free loopback port (and stops by PID)
# Targets, printed, never asserted: distributed's wall <= 1.3x threads' (the
# Redis round trips must not dominate); Redis operations per page <= 6 (every
# command the server executed during the run, from INFO commandstats).
# --quick: 300 pages, 1 repeat (~20 s); default: the whole 1000-page graph,
# 3 repeats (~1 min). --smoke: 60 pages of a 200-page lab with tiny puzzles and
# delays x0.01, 1 repeat (~5 s), to check the script and its table, not a
# measurement. CONCUR_BIN=PATH uses that binary. Writes
# results/bench/distributed-<UTC>.csv.
# --scale: 32 `concur worker` processes on 4 network-namespace hosts through an
# ACL-protected Redis, a 10,000-page graph, against threads 64, then 2 workers
# SIGKILLed mid-run; needs root (scripts/bench_distributed_scale.sh, --help there).
set -euo pipefail
for arg in "$@"; do
  if [[ $arg == --scale ]]; then
    rest=()
    for a in "$@"; do [[ $a == --scale ]] || rest+=("$a"); done
    exec "$(dirname "$0")/bench_distributed_scale.sh" "${rest[@]}"
  fi
done
# shellcheck source=scripts/bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"

bench_args "$@"
[[ -z $repeat ]] && { ((quick || smoke)) && repeat=1 || repeat=3; }
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "--repeat must be an integer >= 1 (got '$repeat')"
[[ -z $pages ]] && { ((smoke)) && pages=60 || { ((quick)) && pages=300 || pages=0; }; }
lab="pages: 1000, delay_scale: 0.1, cpu_iterations: 200000, core_iterations: 50000"
((smoke)) && lab="pages: 200, delay_scale: 0.01, cpu_iterations: 2000, core_iterations: 1000"
need_tools redis-server redis-cli
ensure_binary
out_csv=$(csv_path distributed "$csv_arg")

redis_port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$BENCH_TMP" --logfile "$BENCH_TMP/redis.log" &
BENCH_PIDS+=("$!")
for ((i = 0; i < 100; i++)); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis-cli -p "$redis_port" ping >/dev/null 2>&1 || die "redis-server did not answer within 10 s"

cat >"$BENCH_TMP/distributed.yaml" <<YAML
name: distributed
server: {$lab}
crawl: {max_pages: $pages}
strategies:
  - {plugin: threads, workers: 16}
  - plugin: distributed
    redis: redis://127.0.0.1:$redis_port
    local_workers: 4
    worker_threads: 4
repeat: $repeat
YAML

log "concur run: threads 16 vs distributed 4x4, $((pages ? pages : 1000)) pages, $repeat repeat(s) (cores $(nproc), load $(load1))"
"$CONCUR_BIN" run -q "$BENCH_TMP/distributed.yaml" -o "$out_csv" 2>"$BENCH_TMP/run.log" ||
  { cat "$BENCH_TMP/run.log" >&2; die "concur run failed"; }

"$PY" - "$out_csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def metric(r, name):
    for item in r["metrics"].split():
        k, _, v = item.partition("=")
        if k == name: return float(v)
    return float("nan")
by = {}
for r in rows:
    by.setdefault(r["strategy"], []).append(r)
med = lambda rs, f: statistics.median(f(r) for r in rs)
print(f"{'strategy':<12} {'runs':>4} {'pages':>6} {'wall_s':>8} {'cpu_s':>7} {'ops/page':>9} {'requeued':>9}")
for s, rs in by.items():
    wall = med(rs, lambda r: float(r["wall_s"]))
    cpu = med(rs, lambda r: float(r["cpu_user_s"]) + float(r["cpu_sys_s"]))
    ops = med(rs, lambda r: metric(r, "redis_ops_per_page")) if s == "distributed" else float("nan")
    req = med(rs, lambda r: metric(r, "pages_requeued")) if s == "distributed" else float("nan")
    na = lambda v, spec: format(v, spec) if v == v else "-"  # NaN: not this strategy's
    print(f"{s:<12} {len(rs):>4} {rs[0]['pages_ok']:>6} {wall:>8.3f} {cpu:>7.2f} {na(ops, '.2f'):>9} {na(req, '.0f'):>9}")
t = med(by["threads"], lambda r: float(r["wall_s"]))
d = med(by["distributed"], lambda r: float(r["wall_s"]))
ops = med(by["distributed"], lambda r: metric(r, "redis_ops_per_page"))
print(f"distributed / threads wall: {d / t:.3f}  (target <= 1.3: {'met' if d / t <= 1.3 else 'MISSED'})")
print(f"Redis operations per page: {ops:.2f}  (target <= 6: {'met' if ops <= 6 else 'MISSED'})")
print("note: cpu_s is the coordinator's process and its reaped children (the local workers).")
PY
log "wrote $out_csv"
