#!/usr/bin/env bash
# Load on the demo server (`concur serve`, its own process on 127.0.0.1) with wrk:
#  1. throughput: wrk -t1 -cC -dS on a regular page and on /health, delay scale 0,
#     repeats interleaved; target >= 30,000 req/s with p99 < 5 ms (printed, not asserted)
#  2. concurrency: delay scale 1.0, wrk -t2 -c5000 -d12s --timeout 10s on a 5 s delay
#     page; every connection answered, max latency <= 5,050 ms, server VmHWM < 200 MB
#   scripts/bench-server.sh [--duration S] [--connections C] [--repeat R]
#        [--conc-connections N] [--conc-duration D] [--no-concurrency] [--csv PATH]
#        [--smoke]
# --smoke: 1 s of 8 connections, 1 repeat, then 50 connections for 6 s (~12 s), to
# check the script and its table, not a measurement.
set -euo pipefail
# shellcheck source=scripts/bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"

duration=10 connections=64 repeat=2 conc_conns=5000 conc_duration=12 concurrency=1 csv=""
while (($#)); do
  case $1 in
    --duration) duration=${2:?}; shift 2 ;;
    --connections) connections=${2:?}; shift 2 ;;
    --repeat) repeat=${2:?}; shift 2 ;;
    --conc-connections) conc_conns=${2:?}; shift 2 ;;
    --conc-duration) conc_duration=${2:?}; shift 2 ;;
    --no-concurrency) concurrency=0; shift ;;
    --csv) csv=${2:?}; shift 2 ;;
    --smoke) smoke_start; duration=1 connections=8 repeat=1 conc_conns=50 conc_duration=6; shift ;;
    -h | --help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
for v in "$duration" "$connections" "$repeat" "$conc_conns" "$conc_duration"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || die "durations, connections and repeat must be positive integers (got '$v')"
done
((duration <= 120 && conc_duration <= 60)) || die "bounded load: --duration <= 120, --conc-duration <= 60"
((conc_conns <= 10000)) || die "--conc-connections <= 10000 (the server's max_connections)"

# wrk and the server each need a descriptor per connection (plus a few): raise the
# soft limit up to the hard one (20,000 here); each process inherits its own copy.
want=$(( (concurrency ? conc_conns : connections) + 1000))
hard=$(ulimit -Hn)
[[ $hard == unlimited ]] || ((hard >= want)) || die "ulimit -Hn is $hard: $conc_conns connections need $want descriptors"
ulimit -n "$( [[ $hard == unlimited ]] && echo "$want" || echo $((hard < 20000 ? hard : 20000)) )"
((concurrency == 0)) || (($(ulimit -n) >= want)) || die "could not raise ulimit -n to $want"

need_tools wrk timeout ss awk
need_python json urllib.request
ensure_binary
csv=$(csv_path server "$csv")
wrklog=${csv%.csv}.log
: >"$wrklog"
echo "run_id,time_utc,phase,path,page_type,repeat,threads,connections,duration_s,requests,rps,p50_ms,p90_ms,p99_ms,max_ms,min_ms,non2xx,err_connect,err_read,err_write,err_timeout,server_peak_rss_mb,server_conn_peak,server_delay_err_max_ms,load1,ratio_vs_health,target,met,n" >"$csv"

declare -A K
read_kv() { K=(); local k v; while IFS='=' read -r k v; do K[$k]=$v; done <"$1"; }
ms() { awk -v u="$1" 'BEGIN {printf "%.2f", u / 1000}'; }

# wrk_row PHASE PATH TYPE REPEAT THREADS CONNS DURATION TARGET MET -- from K, server PID
wrk_row() {
  local rps rss
  rps=$(awk -v r="${K[requests]}" -v d="${K[duration_us]}" 'BEGIN {printf "%.1f", r / (d / 1e6)}')
  rss=$(rss_peak_mb "$SERVER_PID")
  echo "$BENCH_RUN_ID,$(date -u +%H:%M:%S),$1,$2,$3,$4,$5,$6,$7,${K[requests]},$rps,$(ms "${K[p50_us]}"),$(ms "${K[p90_us]}"),$(ms "${K[p99_us]}"),$(ms "${K[max_us]}"),$(ms "${K[min_us]}"),${K[status_errors]},${K[err_connect]},${K[err_read]},${K[err_write]},${K[err_timeout]},$rss,${m_peak:-},${m_delay_err:-},$(load1),,$8,$9,1" >>"$csv"
  printf '  %-11s %-10s repeat %s: %9s req/s  p50 %s ms  p99 %s ms  max %s ms  errors %s  rss %s MB  load %s\n' \
    "$1" "$2" "$4" "$rps" "$(ms "${K[p50_us]}")" "$(ms "${K[p99_us]}")" "$(ms "${K[max_us]}")" \
    "$((K[status_errors] + K[err_connect] + K[err_read] + K[err_write] + K[err_timeout]))" "$rss" "$(load1)" >&2
}

# ---- 1. throughput: delay scale 0, one server, page and /health interleaved ----------
start_server "$BENCH_TMP/serve0.log" --seed 42 --pages 1000 --delay-scale 0 \
  --cpu-iterations 1000 --core-iterations 250
page=$(page_of_type "$SERVER_URL" regular)
log "throughput: $SERVER_URL (pid $SERVER_PID), regular page $page, wrk -t1 -c$connections -d${duration}s x$repeat, load $(load1)"
run_wrk "$BENCH_TMP/kv" "$wrklog" -t1 -c"$connections" -d1s "$SERVER_URL/health"   # warm-up, not recorded
for ((rep = 1; rep <= repeat; rep++)); do
  paths=("/api/$page" /health)
  ((rep % 2 == 0)) && paths=(/health "/api/$page")
  for path in "${paths[@]}"; do
    echo "== throughput $path repeat $rep" >>"$wrklog"
    run_wrk "$BENCH_TMP/kv" "$wrklog" -t1 -c"$connections" -d"${duration}s" "$SERVER_URL$path"
    read_kv "$BENCH_TMP/kv"
    met=$(awk -v r="${K[requests]}" -v d="${K[duration_us]}" -v p="${K[p99_us]}" -v e="$((K[status_errors] + K[err_connect] + K[err_read] + K[err_write] + K[err_timeout]))" \
      'BEGIN {print (r / (d / 1e6) >= 30000 && p < 5000 && e == 0) ? "yes" : "no"}')
    type=regular; [[ $path == /health ]] && type=health
    wrk_row throughput "$path" "$type" "$rep" 1 "$connections" "$duration" ">=30000 req/s & p99<5 ms" "$met"
  done
done
kill -0 "$SERVER_PID" 2>/dev/null || die "the server (pid $SERVER_PID) died during the throughput runs"
stop_pid "$SERVER_PID"

# ---- 2. concurrency: delay scale 1.0, thousands of connections on a 5 s page ---------
if ((concurrency)); then
  start_server "$BENCH_TMP/serve1.log" --seed 42 --pages 1000 --delay-scale 1.0 \
    --cpu-iterations 1000 --core-iterations 250
  page=$(page_of_type "$SERVER_URL" delay)
  log "concurrency: $SERVER_URL (pid $SERVER_PID), delay page $page, wrk -t2 -c$conc_conns -d${conc_duration}s --timeout 10s, load $(load1)"
  echo "== concurrency /api/$page" >>"$wrklog"
  cpu0=$(proc_cpu_s "$SERVER_PID")
  run_wrk "$BENCH_TMP/kv" "$wrklog" -t2 -c"$conc_conns" -d"${conc_duration}s" --timeout 10s "$SERVER_URL/api/$page"
  read_kv "$BENCH_TMP/kv"
  kill -0 "$SERVER_PID" 2>/dev/null || die "the server (pid $SERVER_PID) died under $conc_conns connections"
  rss=$(rss_peak_mb "$SERVER_PID")
  read -r m_peak m_accepted m_answered m_delay_err <<<"$(server_metrics "$SERVER_URL")" || true
  cpu=$(awk -v a="$cpu0" -v b="$(proc_cpu_s "$SERVER_PID")" 'BEGIN {printf "%.2f", b - a}')
  errors=$((K[status_errors] + K[err_connect] + K[err_read] + K[err_write] + K[err_timeout]))
  problems=()
  ((errors == 0)) || problems+=("errors: non-2xx ${K[status_errors]}, connect ${K[err_connect]}, read ${K[err_read]}, write ${K[err_write]}, timeout ${K[err_timeout]}")
  # wrk cannot say which connection got an answer; with no errors, at least one answer
  # per connection on average is what its totals can show.
  ((K[requests] >= conc_conns)) || problems+=("only ${K[requests]} answers for $conc_conns connections")
  ((K[max_us] <= 5050000)) || problems+=("max latency $(ms "${K[max_us]}") ms > 5050 ms")
  ((K[min_us] >= 5000000)) || problems+=("min latency $(ms "${K[min_us]}") ms < 5000 ms: a delay page answered early")
  awk -v r="$rss" 'BEGIN {exit !(r < 200)}' || problems+=("server peak RSS $rss MB >= 200 MB")
  met=yes; ((${#problems[@]} == 0)) || met=no
  wrk_row concurrency "/api/$page" delay 1 2 "$conc_conns" "$conc_duration" "all answered & max<=5050 ms & rss<200 MB" "$met"
  log "concurrency: ${K[requests]} answers for $conc_conns connections ($(awk -v r="${K[requests]}" -v c="$conc_conns" 'BEGIN {printf "%.2f", r / c}') per connection in ${conc_duration} s); server CPU ${cpu} s, $(awk -v c="$cpu" -v r="${K[requests]}" 'BEGIN {printf "%.0f", c * 1e6 / (r ? r : 1)}') us per answer"
  [[ -n ${m_peak:-} ]] && log "server /metrics: $m_accepted connections accepted, $m_peak open at once, $m_answered delay answers (200), delay error max $m_delay_err ms (request read -> answer written)"
  for p in "${problems[@]}"; do log "concurrency check failed: $p"; done
  stop_pid "$SERVER_PID"
fi

echo
"$PY" "$BENCH_TABLE" server "$csv"
echo "CSV: $csv   wrk output: $wrklog"
