# Shared helpers for scripts/bench-*.sh. Source it; it is not a command.
# Every process started here is recorded by PID and stopped by PID on exit.
# shellcheck shell=bash disable=SC2034  # globals (BENCH_TABLE, SERVER_URL ...) are for the scripts

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3                       # Debian's python, with hashlib/requests
CONCUR_BIN=${CONCUR_BIN:-$BENCH_ROOT/build/concur}
BENCH_TABLE="$BENCH_ROOT/scripts/bench_table.py"
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/concur-bench.XXXXXX")
BENCH_PIDS=()                             # servers started by this script
BENCH_RUN_ID=$(date -u +%Y%m%dT%H%M%SZ)
# Where CSVs go unless a script's --csv says otherwise (CONCUR_BENCH_OUT: another
# folder, as scripts/bench-smoke.sh uses); a smoke run's go to results/bench/smoke/.
BENCH_OUT=${CONCUR_BENCH_OUT:-$BENCH_ROOT/results/bench}
smoke=0
SMOKE_NOTE="SMOKE RUN: tiny sizes, to check that this script works end to end; its figures measure nothing"

die() { echo "${0##*/}: $*" >&2; exit 1; }
log() { echo "${0##*/}: $*" >&2; }

bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do stop_pid "$pid"; done
  rm -rf "$BENCH_TMP"
  if ((smoke)); then echo "${0##*/}: $SMOKE_NOTE"; fi
}

# smoke_start: --smoke was given. Says so at once (and again on exit, under the
# table), and sends the default CSVs to results/bench/smoke/, apart from measurements.
smoke_start() {
  smoke=1
  [[ -n ${CONCUR_BENCH_OUT:-} ]] || BENCH_OUT=$BENCH_ROOT/results/bench/smoke
  echo "${0##*/}: $SMOKE_NOTE"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# stop_pid PID: TERM, wait up to 5 s, then KILL. Only PIDs this script started.
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  log "server $pid ignored SIGTERM for 5 s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# need_tools CMD...: every command must exist; tries scripts/install-deps.sh once.
need_tools() {
  local missing=() t
  for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
  ((${#missing[@]} == 0)) && return 0
  log "missing: ${missing[*]} - running scripts/install-deps.sh"
  "$BENCH_ROOT/scripts/install-deps.sh" >&2 || die "scripts/install-deps.sh failed; install ${missing[*]} by hand"
  for t in "${missing[@]}"; do
    command -v "$t" >/dev/null 2>&1 || die "'$t' is still missing after scripts/install-deps.sh"
  done
}

# need_python MODULE...: /usr/bin/python3 must import each module.
need_python() {
  [[ -x $PY ]] || need_tools python3
  [[ -x $PY ]] || die "$PY is missing (apt-get install python3)"
  local m
  for m in "$@"; do
    "$PY" -c "import $m" 2>/dev/null || die "$PY cannot import '$m' (scripts/install-deps.sh installs it)"
  done
}

# ensure_binary: brings build/concur up to date with scripts/build.sh (an
# incremental build: a no-op when nothing changed), so a benchmark never
# measures code that is no longer there. The binary, its plugins and the hooks
# benchmark only, with quickstart.sh's and test.sh's options: one build/ for all.
# A CONCUR_BIN of your own is used as is.
BENCH_TARGETS="concur concur_plugins concur_bench_hooks"
ensure_binary() {
  if [[ $CONCUR_BIN == "$BENCH_ROOT/build/concur" ]]; then
    CONCUR_TARGETS=$BENCH_TARGETS "$BENCH_ROOT/scripts/build.sh" build -DCONCUR_WERROR=ON >&2 ||
      die "scripts/build.sh build failed (see above)"
  fi
  [[ -x $CONCUR_BIN ]] || die "no binary at $CONCUR_BIN after the build"
}

# csv_path DEFAULT_NAME [OVERRIDE]: the CSV to write; creates its folder.
csv_path() {
  local p=${2:-$BENCH_OUT/$1-$BENCH_RUN_ID.csv}
  mkdir -p "$(dirname "$p")" || die "cannot create $(dirname "$p")"
  echo "$p"
}

load1() { cut -d' ' -f1 /proc/loadavg; }

# start_server LOG ARGS...: runs `concur serve` on 127.0.0.1 (or SERVE_HOST, an
# address of this machine), a free port; sets SERVER_PID and SERVER_URL. Waits
# (bounded) until /health answers.
start_server() {
  local logf=$1 i port="" host=${SERVE_HOST:-127.0.0.1}
  local host_re=${host//./\\.}
  shift
  : >"$logf"
  "$CONCUR_BIN" serve --host "$host" --port 0 "$@" >>"$logf" 2>&1 &
  SERVER_PID=$!
  BENCH_PIDS+=("$SERVER_PID")
  for ((i = 0; i < 600; i++)); do      # 60 s at most (puzzles are made at start-up)
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$logf" >&2; die "concur serve exited during start-up"; }
    port=$(grep -oE "http://$host_re:[0-9]+" "$logf" | head -n1 | sed 's/.*://' || true)
    [[ -z $port ]] && port=$(ss -Hltnp 2>/dev/null | grep "pid=$SERVER_PID," | grep -oE "$host_re:[0-9]+" | head -n1 | sed 's/.*://' || true)
    if [[ -n $port ]] && http_get "http://$host:$port/health" >/dev/null 2>&1; then
      SERVER_URL="http://$host:$port"
      return 0
    fi
    sleep 0.1
  done
  tail -n 20 "$logf" >&2
  die "concur serve did not answer /health within 60 s"
}

# http_get URL: body on stdout (no redirect following), 5 s timeout.
http_get() {
  "$PY" - "$1" <<'EOF'
import sys, urllib.request
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
try:
    r = urllib.request.build_opener(NoRedirect).open(sys.argv[1], timeout=5)
    sys.stdout.write(r.read().decode())
except urllib.error.HTTPError as e:
    sys.exit(f"{sys.argv[1]}: HTTP {e.code}")
EOF
}

# page_of_type URL TYPE: a page id of that type, from the 307 of /api/test/TYPE
# (not followed: a delay page would take 5 s), checked against /api/cheat/ when present.
page_of_type() {
  "$PY" - "$1" "$2" <<'EOF'
import json, sys, urllib.request, urllib.error
base, kind = sys.argv[1], sys.argv[2]
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
opener = urllib.request.build_opener(NoRedirect)
try:
    opener.open(f"{base}/api/test/{kind}", timeout=5)
    sys.exit(f"/api/test/{kind} did not redirect")
except urllib.error.HTTPError as e:
    if e.code not in (301, 302, 303, 307, 308):
        sys.exit(f"/api/test/{kind}: HTTP {e.code}")
    page = e.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
try:
    cheat = json.load(opener.open(f"{base}/api/cheat/", timeout=5))
    if cheat[page]["page_type"] != kind:
        sys.exit(f"/api/test/{kind} sent to {page}, a {cheat[page]['page_type']} page")
except urllib.error.HTTPError:
    pass  # a server without /api/cheat/: trust the redirect
print(page)
EOF
}

# server_metrics URL: "peak accepted delay_answered_200 delay_error_max_ms" from the
# server's Prometheus /metrics (an extension); nothing for a server without one.
server_metrics() {
  "$PY" - "$1" <<'EOF' || true
import re, sys, urllib.request
try:
    text = urllib.request.urlopen(sys.argv[1] + "/metrics", timeout=5).read().decode()
except Exception:
    sys.exit(0)
def value(name):
    m = re.search(rf"^{name} ([0-9.e+]+)$", text, re.M)
    return float(m.group(1)) if m else float("nan")
ok = sum(float(v) for v in re.findall(r'^concur_requests_total\{type="delay",status="200"\} ([0-9.]+)$', text, re.M))
print(f"{value('concur_connections_peak'):.0f} {value('concur_connections_accepted_total'):.0f} "
      f"{ok:.0f} {value('concur_delay_error_max_ms'):.2f}")
EOF
}

# rss_peak_mb PID: VmHWM of a live process, in MB.
rss_peak_mb() { awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# proc_cpu_s PID: user+system CPU seconds of a live process so far.
proc_cpu_s() { awk -v t="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / t}' "/proc/$1/stat"; }

# run_wrk OUT_KV LOG WRK_ARGS... URL: bounded wrk run with --latency; the Lua
# done() hook writes exact figures as key=value lines into OUT_KV.
run_wrk() {
  local kv=$1 logf=$2 secs=10 a prev=""
  shift 2
  for a in "$@"; do [[ $prev == -d ]] && secs=${a%s}; prev=$a; done
  cat >"$BENCH_TMP/done.lua" <<'EOF'
done = function(s, lat, req)
  local f = assert(io.open(os.getenv("BENCH_KV"), "w"))
  local e = s.errors
  f:write(string.format("requests=%d\nduration_us=%d\nstatus_errors=%d\n", s.requests, s.duration, e.status))
  f:write(string.format("err_connect=%d\nerr_read=%d\nerr_write=%d\nerr_timeout=%d\n", e.connect, e.read, e.write, e.timeout))
  for _, p in ipairs({50, 90, 99}) do f:write(string.format("p%d_us=%d\n", p, lat:percentile(p))) end
  f:write(string.format("max_us=%d\nmin_us=%d\n", lat.max, lat.min))
  f:close()
end
EOF
  rm -f "$kv"
  BENCH_KV=$kv timeout -k 5 $((secs + 30)) wrk --latency -s "$BENCH_TMP/done.lua" "$@" >>"$logf" 2>&1 ||
    { tail -n 20 "$logf" >&2; die "wrk failed or overran $((secs + 30)) s: $*"; }
  [[ -s $kv ]] || die "wrk wrote no figures (see $logf)"
}

# bench_args "$@": the options bench-policy.sh and bench-lua.sh share:
# --quick, --smoke, --repeat R, --pages N, --csv PATH, -h/--help (the script's
# header comment). Sets quick (0|1), smoke (0|1), and repeat, pages, csv_arg
# (empty when not given).
bench_args() {
  quick=0 repeat="" pages="" csv_arg=""
  while (($#)); do
    case $1 in
      --quick) quick=1; shift ;;
      --smoke) smoke_start; shift ;;
      --repeat) repeat=${2:?--repeat needs a value}; shift 2 ;;
      --pages) pages=${2:?--pages needs a value}; shift 2 ;;
      --csv) csv_arg=${2:?--csv needs a value}; shift 2 ;;
      -h | --help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
      *) die "unknown argument '$1' (see --help)" ;;
    esac
  done
}

# run_concur_bounded BOUND_S CONFIG CSV: `concur run CONFIG` bounded by `timeout`.
# A failed run carries on (its row says why), an overrun keeps its finished rows,
# any other exit (a config or usage error) stops the script. Sets rc.
run_concur_bounded() {
  local bound=$1 cfg=$2 csv=$3
  rc=0
  timeout -k 10 "$bound" "$CONCUR_BIN" run "$cfg" --out "$csv" >&2 || rc=$?
  case $rc in
    0) ;;
    1) log "concur: a run failed (its row says why); carrying on" ;;
    124 | 137) log "concur overran its bound of ${bound} s and was stopped; its finished rows are kept" ;;
    *) die "concur run exited $rc (a config or usage error?)" ;;
  esac
}
