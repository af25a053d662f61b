#!/usr/bin/env bash
# What Lua hooks cost, in two measurements side by side:
#   scripts/bench-lua.sh [--quick | --smoke] [--repeat R] [--pages N] [--csv PATH]
# 1. Per call (build/concur_bench_hooks): a WorkerHooks method called 1,000,000
#    times on a page of 4 links: no hook, an empty on_page, on_page returning
#    page.links, on_page counting types, an empty on_response; and what
#    opening a worker's Lua state costs (time, heap KB). Target: an empty
#    on_page under 1 us per page.
# 2. Per crawl: the same whole-graph crawl (threads, 8 workers; N pages, no
#    delays, 1-step puzzles: as many pages per second as the machine does),
#    with no script and with an empty on_page, interleaved R times (ABBA
#    order) against one server process. The ratios of pages/s and of the client's CPU seconds
#    show whether hooks could change which strategy wins; a 10,000-page crawl
#    takes ~0.5 s, so wall time is the noisier of the two.
# --quick: 200,000 calls, 1 repeat of 2,000 pages (~20 s); default 1,000,000
# calls, 5 repeats of 10,000 pages (~2 min). --smoke: 20,000 calls, 1 repeat of
# 200 pages (~3 s), to check the script and its table, not a measurement.
# CONCUR_BIN=PATH uses that binary
# (concur_bench_hooks is looked for beside it).
# Writes results/bench/lua-<UTC time>.csv. Targets are printed, never asserted.
set -euo pipefail
# shellcheck source=scripts/bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"

bench_args "$@"
[[ -z $repeat ]] && { ((quick || smoke)) && repeat=1 || repeat=5; }
[[ -z $pages ]] && { ((smoke)) && pages=200 || { ((quick)) && pages=2000 || pages=10000; }; }
calls=$( ((smoke)) && echo 20000 || { ((quick)) && echo 200000 || echo 1000000; })
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "--repeat must be an integer >= 1 (got '$repeat')"
[[ $pages =~ ^[1-9][0-9]*$ ]] || die "--pages must be an integer >= 1 (got '$pages')"

need_tools awk ss
ensure_binary
BENCH_HOOKS=$(dirname "$CONCUR_BIN")/concur_bench_hooks
[[ -x $BENCH_HOOKS ]] || die "no $BENCH_HOOKS (built with concur by scripts/build.sh)"
out_csv=$(csv_path lua "$csv_arg")

echo "part,case,repeat,calls,ns_per_call,pages,wall_s,pages_per_s,cpu_s,load1" >"$out_csv"

log "1/2 per call: $calls calls x $repeat repeats (load $(load1))"
"$BENCH_HOOKS" --calls "$calls" --repeats "$repeat" --dir "$BENCH_TMP" |
  awk -F, -v load="$(load1)" 'NR > 1 {n[$1]++; printf "call,%s,%d,%s,%s,,,,,%s\n", $1, n[$1], $2, $3, load}' \
    >>"$out_csv"

start_server "$BENCH_TMP/server.log" --seed 42 --pages "$pages" --id-length 6 --delay-scale 0 \
  --cpu-iterations 1 --core-iterations 1
printf 'function on_page(page) end\n' >"$BENCH_TMP/empty.lua"
cat >"$BENCH_TMP/crawl.yaml" <<YAML
name: bench-lua
server: {base_url: $SERVER_URL}
crawl: {max_pages: 0, timeout_ms: 10000, retries: 50}
strategies:
  - plugin: threads
    workers: 8
YAML
for ((rep = 1; rep <= repeat; rep++)); do
  # ABBA: odd repeats run no_script first, even ones empty_on_page first, so
  # whatever the order favours (a warm server, the machine's drift) cancels.
  order=(no_script empty_on_page)
  ((rep % 2 == 0)) && order=(empty_on_page no_script)
  for variant in "${order[@]}"; do
    set_script=()
    [[ $variant == empty_on_page ]] && set_script=(--set "script=$BENCH_TMP/empty.lua")
    log "2/2 crawl [$rep/$repeat] $variant (load $(load1))"
    "$CONCUR_BIN" run -q "$BENCH_TMP/crawl.yaml" "${set_script[@]}" -o "$BENCH_TMP/run.csv" \
      2>"$BENCH_TMP/run.log" || { cat "$BENCH_TMP/run.log" >&2; die "the $variant crawl failed"; }
    awk -F, -v rep="$rep" -v v="$variant" -v load="$(load1)" '
      NR == 1 {for (i = 1; i <= NF; i++) col[$i] = i; next}
      {printf "crawl,%s,%d,,,%s,%s,%s,%.6f,%s\n", v, rep, $col["pages_ok"], $col["wall_s"],
       $col["pages_per_s"], $col["cpu_user_s"] + $col["cpu_sys_s"], load}' \
      "$BENCH_TMP/run.csv" >>"$out_csv"
  done
done

"$PY" "$BENCH_ROOT/scripts/bench_lua_table.py" "$out_csv"
log "wrote $out_csv"
