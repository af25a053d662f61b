#!/usr/bin/env bash
# The demo server under attack: does a well-behaved client still
# get its answers, at its normal latency, while thousands of connections wait on
# delay pages, slowloris clients trickle headers and non-readers never read?
#   scripts/bench-hostile.sh [--quick | --smoke] [--duration S] [--connections N] [--slowloris N]
#        [--nonreaders N] [--probe N] [--idle-timeout S] [--csv PATH]
# One `concur serve` (127.0.0.1, delay scale 1.0, small puzzles, --max-connections
# sized to hold the whole attack plus the probe, --idle-timeout S: default 10)
# measured in two phases:
#  A. baseline: the probe alone, N rounds (default 20) of sequential GETs of a
#     regular page (500 ms) and of /health, each on a new connection.
#  B. attack, for S seconds (default 30, at most 60): wrk -t2 holding N connections
#     (default 10,000) on a 5 s delay page (--timeout 10s); slowloris connections
#     (default 500) sending a GET header one byte a second, never finished; non-readers
#     (default 100) pipelining 64 GETs of /api/cheat/ (62 KB each) with a 4 KB receive
#     buffer and never reading. Attackers the server cuts reconnect at once. Once
#     /metrics shows them all open, the same probe runs again.
# Targets (printed with met yes/no, never asserted): no probe failure; attack p99
# <= baseline p99 + 50 ms per path; wrk without errors and >= 1 answer per
# connection; server VmHWM < 200 MB; no attacker connection outlives the idle
# timeout (+2 s); every connection released after the attack.
# --quick: wrk 500, slowloris 50, non-readers 10, 8 s, 6 probe rounds, idle timeout 4 s.
# --smoke: wrk 50, slowloris 5, non-readers 2, 6 s, 2 probe rounds, idle timeout 2 s
# (~15 s), to check the script and its table, not a measurement.
# Writes results/bench/hostile-<UTC time>.csv (and .log: wrk's and the clients' output).
set -euo pipefail
# shellcheck source=scripts/bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"
HOSTILE=$BENCH_ROOT/scripts/hostile_clients.py

quick=0 duration="" conns="" slowloris="" nonreaders="" probe="" idle="" csv=""
while (($#)); do
  case $1 in
    --quick) quick=1; shift ;;
    --smoke) smoke_start; shift ;;
    --duration) duration=${2:?--duration needs a value}; shift 2 ;;
    --connections) conns=${2:?--connections needs a value}; shift 2 ;;
    --slowloris) slowloris=${2:?--slowloris needs a value}; shift 2 ;;
    --nonreaders) nonreaders=${2:?--nonreaders needs a value}; shift 2 ;;
    --probe) probe=${2:?--probe needs a value}; shift 2 ;;
    --idle-timeout) idle=${2:?--idle-timeout needs a value}; shift 2 ;;
    --csv) csv=${2:?--csv needs a value}; shift 2 ;;
    -h | --help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
if ((smoke)); then
  : "${duration:=6}" "${conns:=50}" "${slowloris:=5}" "${nonreaders:=2}" "${probe:=2}" "${idle:=2}"
elif ((quick)); then
  : "${duration:=8}" "${conns:=500}" "${slowloris:=50}" "${nonreaders:=10}" "${probe:=6}" "${idle:=4}"
else
  : "${duration:=30}" "${conns:=10000}" "${slowloris:=500}" "${nonreaders:=100}" "${probe:=20}" "${idle:=10}"
fi
for v in "$duration" "$conns" "$probe"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || die "--duration, --connections and --probe must be positive integers (got '$v')"
done
for v in "$slowloris" "$nonreaders" "$idle"; do
  [[ $v =~ ^[0-9]+$ ]] || die "--slowloris, --nonreaders and --idle-timeout must be integers >= 0 (got '$v')"
done
((duration <= 60)) || die "bounded load: --duration <= 60"
((probe <= 100)) || die "bounded load: --probe <= 100"
((slowloris <= 5000 && nonreaders <= 5000)) || die "bounded load: --slowloris, --nonreaders <= 5000"
# The server's max_connections holds everything open at once (attackers + wrk +
# probe + a /metrics poll), or the probe would wait in the listen backlog.
total=$((conns + slowloris + nonreaders))
((conns <= 10000)) || die "bounded load: --connections <= 10000"
max_conns=$((total + 100))
# The probe runs inside the attack: N rounds of a 0.5 s page, after the attack is up.
((duration * 2 >= probe + 10)) || die "--duration $duration is too short for --probe $probe (needs >= $(((probe + 11) / 2)) s)"

# The server needs a descriptor per connection (wrk its own, the attackers theirs:
# separate processes, each with its own copy of the limit): raise the soft limit.
want=$((total + 1000))
hard=$(ulimit -Hn)
[[ $hard == unlimited ]] || ((hard >= want)) || die "ulimit -Hn is $hard: $total connections need $want descriptors"
ulimit -n "$( [[ $hard == unlimited ]] && echo "$want" || echo $((hard < 20000 ? hard : 20000)) )"
(($(ulimit -n) >= want)) || die "could not raise ulimit -n to $want"

need_tools wrk timeout ss awk pgrep
need_python json select socket urllib.request
ensure_binary
csv=$(csv_path hostile "$csv")
logf=${csv%.csv}.log
: >"$logf"
echo "run_id,time_utc,phase,what,path,connections,duration_s,asked,requests,failures,p50_ms,p99_ms,max_ms,min_ms,opened,closed_by_server,open_at_end,server_peak_rss_mb,server_cpu_s,server_conn_peak,server_timed_out,load1,ratio_vs_baseline,target,met,tcp_mem_mb" >"$csv"

# Our own background processes (wrk's run_wrk subshell, the attackers, the probe),
# stopped by PID before bench_lib.sh stops the server: children of a subshell first.
HOSTILE_PIDS=()
hostile_cleanup() {
  local pid child
  for pid in "${HOSTILE_PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || continue
    for child in $(pgrep -P "$pid" || true); do stop_pid "$child"; done
    stop_pid "$pid"
  done
}
trap 'hostile_cleanup; bench_cleanup' EXIT

declare -A K M
# read_kv ARRAY FILE: key=value lines into the associative array named ARRAY.
# shellcheck disable=SC2034,SC2004  # `into` is a nameref; its keys are strings
read_kv() { local -n into=$1; into=(); local k v; while IFS='=' read -r k v; do into[$k]=$v; done <"$2"; }
ms() { awk -v u="$1" 'BEGIN {printf "%.2f", u / 1000}'; }
metrics() { "$PY" "$HOSTILE" metrics "$SERVER_URL" >"$BENCH_TMP/m" || die "cannot read $SERVER_URL/metrics"; read_kv M "$BENCH_TMP/m"; }
alive() { kill -0 "$SERVER_PID" 2>/dev/null || die "the server (pid $SERVER_PID) died $1"; }
yes_no() { awk "BEGIN {print ($1) ? \"yes\" : \"no\"}"; }

# probe_rows PHASE: a row per probed path from PROBE; the baseline's p99 is kept
# in BASE, and the attack's is judged against it.
declare -A BASE
probe_rows() {
  local phase=$1 k path cond ratio="" target="0 failures"
  [[ $phase == attack ]] && target="0 failures & p99<=baseline+50 ms"
  for k in page health; do
    path=/health; [[ $k == page ]] && path=/api/$page
    cond="${PROBE[${k}_failed]} == 0 && ${PROBE[${k}_done]} == ${PROBE[${k}_asked]}"
    if [[ $phase == attack ]]; then
      ratio=$(awk -v a="${PROBE[${k}_p99_ms]}" -v b="${BASE[${k}_p99]}" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
      cond+=" && ${PROBE[${k}_p99_ms]} <= ${BASE[${k}_p99]} + 50"
    else
      BASE[${k}_p99]=${PROBE[${k}_p99_ms]}
    fi
    row "$phase" probe "$path" 1 "${PROBE[${k}_asked]}" "${PROBE[${k}_done]}" "${PROBE[${k}_failed]}" \
      "${PROBE[${k}_p50_ms]}" "${PROBE[${k}_p99_ms]}" "${PROBE[${k}_max_ms]}" "${PROBE[${k}_min_ms]}" \
      "" "" "" "" "" "" "" "$ratio" "$target" "$(yes_no "$cond")"
    if [[ -n ${PROBE[${k}_why]} ]]; then log "$phase probe $path failures: ${PROBE[${k}_why]}"; fi
  done
}

# row PHASE WHAT PATH CONNS ASKED REQUESTS FAILURES P50 P99 MAX MIN OPENED CUT OPEN_END RSS CPU PEAK TIMED_OUT RATIO TARGET MET [TCP_MEM]
row() {
  local IFS=,
  echo "$BENCH_RUN_ID,$(date -u +%H:%M:%S),$1,$2,$3,$4,$duration,${*:5:14},$(load1),${*:19:3},${22:-}" >>"$csv"
}
# tcp_mem_mb: the kernel's memory for all TCP sockets (/proc/net/sockstat, pages):
# what non-readers pin in the server's send buffers, which VmHWM does not count.
tcp_mem_mb() { awk -v p="$(getconf PAGESIZE)" '/^TCP:/ {for (i = 2; i < NF; i++) if ($i == "mem") printf "%.1f", $(i + 1) * p / 1048576}' /proc/net/sockstat; }
max_of() { awk -v a="$1" -v b="$2" 'BEGIN {print (a > b ? a : b)}'; }

# probe_phase PHASE [DEADLINE]: the probe; one CSV row per path, figures in P_<path>.
declare -A PROBE
probe_phase() {
  local phase=$1 deadline=${2:-0} out="$BENCH_TMP/probe-$1.json"
  "$PY" "$HOSTILE" probe "$SERVER_URL" --paths "/api/$page,/health" --count "$probe" \
    --timeout 10 --deadline "$deadline" --out "$out" &
  local pid=$!
  HOSTILE_PIDS+=("$pid")
  wait "$pid" || die "the probe failed (exit $?)"
  { echo "== probe $phase"; cat "$out"; } >>"$logf"
  "$PY" - "$out" >"$BENCH_TMP/probe.kv" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
for path, x in r["paths"].items():
    k = "page" if path.startswith("/api/") else "health"
    fails = ";".join(f"{n}x{w}" for w, n in sorted(x["failures"].items()))
    for f in ("asked", "done", "failed", "p50_ms", "p99_ms", "max_ms", "min_ms"):
        print(f"{k}_{f}={x[f]:.2f}" if isinstance(x[f], float) else f"{k}_{f}={x[f]}")
    print(f"{k}_why={fails}")
print(f"stopped_early={int(r['stopped_early'])}")
EOF
  read_kv PROBE "$BENCH_TMP/probe.kv"
}

start_server "$BENCH_TMP/serve.log" --seed 42 --pages 1000 --delay-scale 1.0 \
  --cpu-iterations 1000 --core-iterations 250 --idle-timeout "$idle" --max-connections "$max_conns"
page=$(page_of_type "$SERVER_URL" regular)
delay_page=$(page_of_type "$SERVER_URL" delay)
log "server $SERVER_URL (pid $SERVER_PID), idle timeout ${idle} s, max connections $max_conns; regular page $page, delay page $delay_page; load $(load1)"

# ---- A. baseline: the probe alone ------------------------------------------------------
log "A. baseline: $probe rounds of GET /api/$page + GET /health, sequential, a connection each"
cpu0=$(proc_cpu_s "$SERVER_PID")
probe_phase baseline
alive "during the baseline"
metrics
base_cpu=$(awk -v a="$cpu0" -v b="$(proc_cpu_s "$SERVER_PID")" 'BEGIN {printf "%.2f", b - a}')
base_rss=$(rss_peak_mb "$SERVER_PID")
base_timed_out=${M[timed_out]}
probe_rows baseline
row baseline server "" "" "" "" "" "" "" "" "" "" "" "" "$base_rss" "$base_cpu" "${M[peak]}" "${M[timed_out]}" "" "" ""
log "baseline: page p50 ${PROBE[page_p50_ms]} / p99 ${PROBE[page_p99_ms]} ms, /health p50 ${PROBE[health_p50_ms]} / p99 ${PROBE[health_p99_ms]} ms; server VmHWM $base_rss MB, CPU $base_cpu s"

# ---- B. attack ----------------------------------------------------------------------
log "B. attack for ${duration} s: wrk -t2 -c$conns on /api/$delay_page, $slowloris slowloris, $nonreaders non-readers (/api/cheat/ x64 pipelined), load $(load1)"
cpu0=$(proc_cpu_s "$SERVER_PID")
t_start=$(date +%s.%N)
"$PY" "$HOSTILE" attack "$SERVER_URL" --slowloris "$slowloris" --nonreaders "$nonreaders" \
  --duration "$duration" --slow-path "/api/$page" --big-path /api/cheat/ --pipeline 64 --rcvbuf 4096 \
  --reconnect --idle-timeout "$idle" --out "$BENCH_TMP/attack.json" 2>>"$logf" &
attack_pid=$!
HOSTILE_PIDS+=("$attack_pid")
echo "== attack wrk /api/$delay_page" >>"$logf"
run_wrk "$BENCH_TMP/kv" "$logf" -t2 -c"$conns" -d"${duration}s" --timeout 10s "$SERVER_URL/api/$delay_page" &
wrk_pid=$!
HOSTILE_PIDS+=("$wrk_pid")

# The probe starts once every attacker is open (a condition on /metrics, not a sleep).
up=$("$PY" "$HOSTILE" wait-open "$SERVER_URL" --at-least "$total" --timeout "$(((duration - probe / 2) > 20 ? 20 : duration - probe / 2))")
log "attack established: $up (expected $total); kernel TCP memory $(tcp_mem_mb) MB"
tcp_mem=$(tcp_mem_mb)
[[ $up == *reached=1 ]] || log "warning: not every attacker connection was open when the probe started"
probe_phase attack "$(awk -v t="$t_start" -v d="$duration" 'BEGIN {printf "%.3f", t + d - 1}')"
tcp_mem=$(max_of "$tcp_mem" "$(tcp_mem_mb)")
if ((PROBE[stopped_early])); then
  log "warning: the attack ended before the probe's $probe rounds: ${PROBE[page_done]} + ${PROBE[health_done]} requests made"
fi
wait "$attack_pid" || die "hostile_clients.py attack failed (see $logf)"
wait "$wrk_pid" || die "wrk failed (see $logf)"
alive "under attack"
read_kv K "$BENCH_TMP/kv"
metrics
cpu=$(awk -v a="$cpu0" -v b="$(proc_cpu_s "$SERVER_PID")" 'BEGIN {printf "%.2f", b - a}')
rss=$(rss_peak_mb "$SERVER_PID")
timed_out=$((${M[timed_out]%.*} - ${base_timed_out%.*}))
{ echo "== attack clients"; cat "$BENCH_TMP/attack.json"; } >>"$logf"

probe_rows attack

errors=$((K[status_errors] + K[err_connect] + K[err_read] + K[err_write] + K[err_timeout]))
met=$(yes_no "$errors == 0 && ${K[requests]} >= $conns")
row attack wrk "/api/$delay_page" "$conns" "" "${K[requests]}" "$errors" "$(ms "${K[p50_us]}")" \
  "$(ms "${K[p99_us]}")" "$(ms "${K[max_us]}")" "$(ms "${K[min_us]}")" "" "" "" "" "" "" "" "" \
  "0 errors & answers>=connections" "$met"
((errors == 0)) || log "wrk errors: non-2xx ${K[status_errors]}, connect ${K[err_connect]}, read ${K[err_read]}, write ${K[err_write]}, timeout ${K[err_timeout]}"

# The attackers, as the server treated them.
"$PY" - "$BENCH_TMP/attack.json" >"$BENCH_TMP/attack.kv" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
for k in ("slowloris", "nonreaders"):
    x = r[k]
    for f in ("target", "opened", "established", "connect_failed", "closed_by_server", "open_at_end",
              "oldest_open_s", "server_answered", "open_max"):
        print(f"{k}_{f}={x[f]}")
    print(f"{k}_outlived={x.get('outlived_idle_timeout', '')}")
    a = x["closed_age_s"]
    print(f"{k}_ages=" + (f"{a['min']:.1f}/{a['median']:.1f}/{a['max']:.1f}" if a else "-"))
EOF
declare -A A
read_kv A "$BENCH_TMP/attack.kv"
for k in slowloris nonreaders; do
  path=/api/$page; [[ $k == nonreaders ]] && path=/api/cheat/
  if ((A[${k}_target] == 0)); then continue; fi
  if ((idle > 0 && duration > idle + 2)); then
    target="cut by the idle timeout (${idle} s)"
    met=$(yes_no "${A[${k}_outlived]:-0} == 0 && ${A[${k}_closed_by_server]} > 0")
  else
    target="none (no idle timeout, or phase <= it + 2 s)" met=""
  fi
  row attack "$k" "$path" "${A[${k}_target]}" "" "" "${A[${k}_connect_failed]}" "" "" "" "" \
    "${A[${k}_opened]}" "${A[${k}_closed_by_server]}" "${A[${k}_open_at_end]}" "" "" "" "" "" "$target" "$met"
  log "$k: ${A[${k}_opened]} connections opened (${A[${k}_target]} at a time, up to ${A[${k}_open_max]} open), ${A[${k}_closed_by_server]} closed by the server at ages min/median/max ${A[${k}_ages]} s, ${A[${k}_open_at_end]} open at the end (oldest ${A[${k}_oldest_open_s]} s), ${A[${k}_connect_failed]} connect failures, ${A[${k}_server_answered]} answered"
done
met=$(yes_no "$rss < 200")
row attack server "" "$total" "" "" "" "" "" "" "" "" "" "" "$rss" "$cpu" "${M[peak]}" "$timed_out" "" "VmHWM<200 MB" "$met" "$tcp_mem"
log "server: VmHWM $rss MB (baseline $base_rss MB; kernel TCP memory, all sockets, up to $tcp_mem MB), CPU $cpu s in the attack, connections peak ${M[peak]}, accepted ${M[accepted]}, $timed_out closed by the idle timeout, ${M[refused]} refused (503), delay error max ${M[delay_err_max_ms]} ms; wrk ${K[requests]} answers for $conns connections, p50 $(ms "${K[p50_us]}") ms, max $(ms "${K[max_us]}") ms"

# ---- after: every connection released ------------------------------------------------
left=$("$PY" "$HOSTILE" wait-open "$SERVER_URL" --at-most 0 --timeout 15)
open_after=${left#open=}; open_after=${open_after%% *}
alive "after the attack"
row after server "" "" "" "" "" "" "" "" "" "" "" "$open_after" "$(rss_peak_mb "$SERVER_PID")" "" "" "" "" \
  "all connections released" "$(yes_no "${left##*reached=} == 1")"
log "after the attack: $left; server VmRSS now $(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER_PID/status") MB"
hostile_cleanup
stop_pid "$SERVER_PID"

echo
"$PY" "$BENCH_TABLE" hostile "$csv"
echo "CSV: $csv   wrk and client output: $logf"
