#!/usr/bin/env bash
# The distributed strategy at scale, on network-namespace hosts:
#   scripts/bench-distributed.sh --scale [--smoke] [--repeat R] [--pages N] [--csv PATH]
# (this file is that mode: bench-distributed.sh hands --scale over to it).
# Needs root and network namespaces (Linux, iproute2); without them it says so
# and exits 2. It makes 4 namespaces ("hosts"), each joined to this namespace
# by a veth link on a private 10.x subnet (nothing is forwarded off the
# machine), and on this namespace's end of host 0's link it starts:
#   - redis-server: a password for the default user (this script's own reads:
#     INFO, CLIENT LIST, XPENDING) and the users concur-coordinator and
#     concur-worker with exactly the ACL rules docs/architecture.md gives
#     (read from that page), passwords in files;
#   - concur serve: 10,000 pages (ids of 5 hex digits), delay_scale 0.1,
#     puzzles of 20,000 / 5,000 md5 steps (~4 s of CPU in all, so that 2 cores
#     do not make the crawl CPU-bound).
# In each namespace 8 `concur worker` processes (32 in all; the run gives them
# 2 threads each) with --allow-host for that server. Then, per repeat, two
# `concur run`s of the whole graph: threads with 64 workers in one process, and
# distributed (32 x 2 = 64). Then one more distributed run in which two workers
# on two hosts, holding pages (XPENDING), are SIGKILLed once a quarter of the
# pages has been answered (the server's /metrics): no page may be lost and
# none completed twice (checked against the row and the server's /metrics).
# Prints a table and the verdict; writes the runs' rows plus bench_* columns to
# results/bench/distributed-scale-<UTC>.csv. ~3 minutes with 1 repeat (the
# default). --smoke: 2 workers per host, 300 pages at delay_scale 0.02, tiny
# puzzles (~20 s): checks the script, measures nothing. Every process it
# starts is stopped by PID and the namespaces deleted, also on error.
set -euo pipefail
# shellcheck source=scripts/bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"

bench_args "$@"
[[ -z $repeat ]] && repeat=1
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "--repeat must be an integer >= 1 (got '$repeat')"
HOSTS=4 PER_HOST=8 THREADS=2
serve_args=(--seed 7 --delay-scale 0.1 --cpu-iterations 20000 --core-iterations 5000)
((smoke)) && PER_HOST=2 serve_args=(--seed 7 --delay-scale 0.02 --cpu-iterations 2000 --core-iterations 500)
[[ -z $pages ]] && { ((smoke)) && pages=300 || pages=10000; }
[[ $pages =~ ^[1-9][0-9]*$ ]] || die "--pages must be an integer >= 1 (got '$pages')"
id_length=4
((pages * 8 > 65536)) && id_length=5
WORKERS=$((HOSTS * PER_HOST))
CONCURRENCY=$((WORKERS * THREADS))

unavailable() {
  echo "${0##*/}: the scale mode cannot run here: $*" >&2
  echo "${0##*/}: it needs root and network namespaces (ip netns); the default mode needs neither" >&2
  exit 2
}
((EUID == 0)) || unavailable "it runs as uid $EUID, not root"
need_tools redis-server redis-cli ip
need_python csv statistics

# --- hosts: network namespaces joined by veth links (as tests/support/test_hosts.hpp)
NS_PREFIX=cb$(($$ % 100000))
SUBNET=""
NAMESPACES=()
for a in $(seq $((100 + $$ % 150)) 249) $(seq 100 249); do # a 10.A/16 no route here uses
  ip -4 route show | grep -q "^10\.$a\." || { SUBNET=10.$a; break; }
done
[[ -n $SUBNET ]] || die "every 10.100-249.x.x subnet is in use here"
host_ns() { echo "$NS_PREFIX-$1"; }
gateway() { echo "$SUBNET.$(($1 + 1)).1"; }
ip_or_die() { local out; out=$(ip "$@" 2>&1) || die "\`ip $*\` failed: $out"; }
make_hosts() {
  local i ns net out
  for ((i = 0; i < HOSTS; i++)); do
    ns=$(host_ns "$i") net=$SUBNET.$((i + 1))
    out=$(ip netns add "$ns" 2>&1) || unavailable "\`ip netns add $ns\` failed: $out"
    NAMESPACES+=("$ns")
    ip_or_die link add "${NS_PREFIX}h$i" type veth peer name "${NS_PREFIX}n$i"
    ip_or_die link set "${NS_PREFIX}n$i" netns "$ns"
    ip_or_die addr add "$net.1/24" dev "${NS_PREFIX}h$i"
    ip_or_die link set "${NS_PREFIX}h$i" up
    ip_or_die -n "$ns" addr add "$net.2/24" dev "${NS_PREFIX}n$i"
    ip_or_die -n "$ns" link set "${NS_PREFIX}n$i" up
    ip_or_die -n "$ns" link set lo up
    ip_or_die -n "$ns" route add default via "$net.1"
  done
}

# --- clean-up: workers, then what bench_lib started, then the namespaces
declare -A WORKER_PIDS=() # id -> pid, live workers only
scale_cleanup() {
  local id pid i
  for id in "${!WORKER_PIDS[@]}"; do kill -TERM "${WORKER_PIDS[$id]}" 2>/dev/null || true; done
  for ((i = 0; i < 50; i++)); do
    pid=""
    for id in "${!WORKER_PIDS[@]}"; do kill -0 "${WORKER_PIDS[$id]}" 2>/dev/null && pid=1; done
    [[ -z $pid ]] && break
    sleep 0.1
  done
  for id in "${!WORKER_PIDS[@]}"; do stop_pid "${WORKER_PIDS[$id]}"; done
  bench_cleanup
  for i in "${NAMESPACES[@]}"; do ip netns del "$i" 2>/dev/null || log "could not delete namespace $i"; done
}
trap scale_cleanup EXIT

ensure_binary
out_csv=$(csv_path distributed-scale "$csv_arg")
make_hosts
GW=$(gateway 0)
log "hosts: ${NAMESPACES[*]} on $SUBNET.0.0/16; Redis and the server on $GW (cores $(nproc), $(uptime | sed 's/.*load/load/'))"

# --- Redis with the documented ACL users
acl_rules() { # the rules docs/architecture.md gives user concur-$1, after its password
  sed -n "s/^ *ACL SETUSER concur-$1 on >PASSWORD //p" "$BENCH_ROOT/docs/architecture.md"
}
for u in coordinator worker; do [[ -n $(acl_rules $u) ]] || die "docs/architecture.md gives no ACL for concur-$u"; done
ACL_COMMANDS=$( (acl_rules coordinator; acl_rules worker) | tr ' ' '\n' | sed -n 's/^+//p' | sort -u | tr '\n' ' ')
secret() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }
ADMIN_PW=$(secret)
for u in coordinator worker; do (umask 077; secret >"$BENCH_TMP/$u.pw"); done
redis_port=$("$PY" -c 'import socket,sys; s=socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$GW")
(umask 077; cat >"$BENCH_TMP/redis.conf" <<CONF
bind $GW
port $redis_port
save ""
appendonly no
dir $BENCH_TMP
logfile $BENCH_TMP/redis.log
requirepass $ADMIN_PW
user concur-coordinator on >$(cat "$BENCH_TMP/coordinator.pw") $(acl_rules coordinator)
user concur-worker on >$(cat "$BENCH_TMP/worker.pw") $(acl_rules worker)
CONF
)
redis-server "$BENCH_TMP/redis.conf" &
REDIS_PID=$!
BENCH_PIDS+=("$REDIS_PID")
rcli() { REDISCLI_AUTH=$ADMIN_PW redis-cli --no-auth-warning -h "$GW" -p "$redis_port" "$@"; }
for ((i = 0; i < 100; i++)); do rcli ping >/dev/null 2>&1 && break; sleep 0.1; done
[[ $(rcli ping 2>&1) == PONG ]] || die "redis-server did not answer within 10 s (see $BENCH_TMP/redis.log)"
# Every call of a command the two users may run (the admin's INFO, CLIENT,
# XPENDING and SCAN are none of them).
redis_ops() {
  rcli INFO commandstats | tr -d '\r' | awk -F'[:,=]' -v want="$ACL_COMMANDS" '
    BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) ok["cmdstat_" w[i]] = 1 }
    $1 in ok { s += $3 } END { print s + 0 }'
}

# --- the demo server, where every host reaches it
log "concur serve: $pages pages on $GW (puzzles are made or read from the cache)"
SERVE_HOST=$GW start_server "$BENCH_TMP/server.log" --pages "$pages" --id-length "$id_length" "${serve_args[@]}"
server_port=${SERVER_URL##*:}

# --- the workers: PER_HOST per namespace
for ((h = 0; h < HOSTS; h++)); do
  for ((k = 0; k < PER_HOST; k++)); do
    id=h${h}w$k
    # `ip netns exec` execs the command: $! is the worker's PID.
    ip netns exec "$(host_ns "$h")" "$CONCUR_BIN" worker --redis "redis://concur-worker@$GW:$redis_port" \
      --redis-password-file "$BENCH_TMP/worker.pw" --allow-host "$GW:$server_port" --id "$id" \
      >"$BENCH_TMP/$id.log" 2>&1 &
    WORKER_PIDS[$id]=$!
  done
done
for ((i = 0; i < 300; i++)); do
  joined=$(rcli CLIENT LIST | grep -c 'user=concur-worker' || true)
  ((joined >= WORKERS)) && break
  for id in "${!WORKER_PIDS[@]}"; do
    kill -0 "${WORKER_PIDS[$id]}" 2>/dev/null || { cat "$BENCH_TMP/$id.log" >&2; die "worker $id exited"; }
  done
  sleep 0.1
done
((joined >= WORKERS)) || die "$joined of $WORKERS workers reached Redis within 30 s"
log "$WORKERS workers on $HOSTS hosts authenticated as concur-worker"

# --- the runs
mkdir -p "$BENCH_TMP/runs"
experiment() { # STRATEGY-YAML: a whole-graph crawl of the server
  printf 'name: distributed-scale\nserver: {base_url: "%s"}\ncrawl: {max_pages: 0}\nstrategies:\n%s\n' \
    "$SERVER_URL" "$1"
}
threads_yaml=$(experiment "  - {plugin: threads, workers: $CONCURRENCY}")
distributed_yaml=$(experiment "  - plugin: distributed
    redis: redis://concur-coordinator@$GW:$redis_port
    redis_password_file: $BENCH_TMP/coordinator.pw
    local_workers: 0
    worker_threads: $THREADS")
workers_cpu() {
  local id s=0
  for id in "${!WORKER_PIDS[@]}"; do s=$(awk -v a="$s" -v b="$(proc_cpu_s "${WORKER_PIDS[$id]}")" 'BEGIN {print a + b}'); done
  echo "$s"
}
graph_ok_answers() { # successful answers of graph pages so far (the server's /metrics)
  http_get "$SERVER_URL/metrics" | awk -F'[ "]' '/^concur_requests_total\{/ && $2 !~ /root|other/ && $4 == "200" { s += $NF } END { print s + 0 }'
}

# start_run NAME YAML: `concur run` in the background (bounded), its row to runs/NAME.csv;
# facts before it to runs/NAME.facts. Sets RUN_PID. finish_run NAME waits and adds facts after.
start_run() {
  local name=$1
  printf '%s\n' "$2" >"$BENCH_TMP/$name.yaml"
  {
    echo "bench_run=$name"
    echo "before_redis_ops=$(redis_ops)"
    echo "before_redis_cpu_s=$(proc_cpu_s "$REDIS_PID")"
    echo "before_workers_cpu_s=$(workers_cpu)"
    echo "before_server_ok=$(graph_ok_answers)"
  } >"$BENCH_TMP/runs/$name.facts"
  timeout -k 10 600 "$CONCUR_BIN" run -q "$BENCH_TMP/$name.yaml" -o "$BENCH_TMP/runs/$name.csv" \
    2>"$BENCH_TMP/$name.log" &
  RUN_PID=$!
  BENCH_PIDS+=("$RUN_PID")
}
finish_run() {
  local name=$1 rc=0
  wait "$RUN_PID" || rc=$?
  {
    echo "after_redis_ops=$(redis_ops)"
    echo "after_redis_cpu_s=$(proc_cpu_s "$REDIS_PID")"
    echo "after_workers_cpu_s=$(workers_cpu)"
    echo "after_server_ok=$(graph_ok_answers)"
    echo "exit_code=$rc"
  } >>"$BENCH_TMP/runs/$name.facts"
  ((rc == 0 || rc == 1)) || { cat "$BENCH_TMP/$name.log" >&2; die "concur run ($name) exited $rc"; }
  [[ -s $BENCH_TMP/runs/$name.csv ]] || { cat "$BENCH_TMP/$name.log" >&2; die "concur run ($name) wrote no row"; }
}

for ((r = 1; r <= repeat; r++)); do
  for s in threads distributed; do
    yaml=$threads_yaml
    [[ $s == distributed ]] && yaml=$distributed_yaml
    log "repeat $r: $s, $CONCURRENCY at once, $pages pages (load $(load1))"
    start_run "$r-$s" "$yaml"
    finish_run "$r-$s"
  done
done

# --- the SIGKILL run: two workers on two hosts, holding pages, once a quarter is answered
log "distributed again; 2 workers SIGKILLed after $((pages / 4)) pages answered (load $(load1))"
start_run kill "$distributed_yaml"
base=$(grep -oP '^before_server_ok=\K.*' "$BENCH_TMP/runs/kill.facts")
while kill -0 "$RUN_PID" 2>/dev/null && (($(graph_ok_answers) - base < pages / 4)); do sleep 0.1; done
kill -0 "$RUN_PID" 2>/dev/null || die "the run ended before $((pages / 4)) pages were answered"
answered=$(($(graph_ok_answers) - base))
tasks=$(rcli --scan --pattern 'concur:run:*:tasks' | head -n1)
# XPENDING's entries, flattened: id, consumer (WORKER/THREAD), idle ms, deliveries.
mapfile -t holders < <(rcli --raw XPENDING "$tasks" workers - + 1000 | awk 'NR % 4 == 2' | cut -d/ -f1)
victims=()
for id in "${holders[@]}"; do
  ((${#victims[@]} == 2)) && break
  [[ -n ${WORKER_PIDS[$id]:-} ]] || continue
  ((${#victims[@]} == 0)) || [[ ${victims[0]%w*} != "${id%w*}" ]] && victims+=("$id")
done
((${#victims[@]} == 2)) || die "XPENDING showed no two hosts' workers holding pages (${holders[*]:-none})"
held=0 killed_cpu=0
for id in "${victims[@]}"; do
  held=$((held + $(printf '%s\n' "${holders[@]}" | grep -cx "$id")))
  killed_cpu=$(awk -v a="$killed_cpu" -v b="$(proc_cpu_s "${WORKER_PIDS[$id]}")" 'BEGIN {print a + b}')
  kill -KILL "${WORKER_PIDS[$id]}"
  wait "${WORKER_PIDS[$id]}" 2>/dev/null || true
  unset "WORKER_PIDS[$id]"
done
log "SIGKILLed ${victims[*]} (holding $held pages) after $answered pages answered"
{
  echo "killed=${victims[*]}"
  echo "killed_held=$held"
  echo "kill_after_answers=$answered"
  echo "killed_workers_cpu_s=$killed_cpu"
} >>"$BENCH_TMP/runs/kill.facts"
finish_run kill

log "load at the end: $(uptime | sed 's/.*load/load/')"
"$PY" "$BENCH_ROOT/scripts/bench_distributed_scale_table.py" "$BENCH_TMP/runs" "$out_csv" "$pages" "$CONCURRENCY"
log "wrote $out_csv"
