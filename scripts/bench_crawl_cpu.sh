# The --cpu-heavy mode of scripts/bench-crawl.sh (its --help says what it
# measures): sourced by it once its options are read, not a command; exits.
# Uses its pages, delay_scale, quick, smoke, reference and repeat, and bench_lib.sh.
# shellcheck shell=bash disable=SC2154  # pages, smoke ... are the caller's

cores=$(nproc)
# Pages per core, not a fixed graph: the puzzle work per core, and so the wall
# time, stays the same from 2 cores to 64 while every core has work.
per_core=250
((quick)) && per_core=100
((smoke)) && per_core=30
# A core page's four chains add up to a cpu page's one: every puzzle page is
# 2,000,000 md5 steps (~0.2 s of one core), a tenth of the pages of each kind.
CPU_ITERATIONS=2000000
if ((reference)); then   # the reference's graph, and its work per core
  [[ -z $pages ]] && pages=$( ((smoke)) && echo 100 || echo 1000)
  CPU_ITERATIONS=$((2000000 * cores / 16))
fi
[[ -z $pages ]] && pages=$((per_core * cores))
[[ -z $repeat ]] && repeat=1
((smoke)) && delay_scale=0.01
if ! [[ $pages =~ ^[0-9]+$ ]] || ((pages < 20)); then
  die "--pages must be an integer >= 20 with --cpu-heavy (got '$pages')"
fi
[[ $repeat =~ ^[1-9][0-9]?$ ]] || die "--repeat must be an integer from 1 to 99 (got '$repeat')"
[[ $delay_scale =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--delay-scale must be a number >= 0 (got '$delay_scale')"

((smoke)) && CPU_ITERATIONS=20000
CORE_ITERATIONS=$((CPU_ITERATIONS / 4))
GOAL=0.9
# Every strategy keeps up to IO_WIDTH pages in flight whatever the cores: a
# failure page can take 40 attempts, and a few dozen threads stuck on such
# pages and on delay pages leave the puzzles undiscovered (32 measured 0.1-0.3
# less efficient than 200 on the --reference graph). Solvers: one per core.
IO_WIDTH=200
queue=$((2 * cores < 16 ? 16 : 2 * cores))
STRATEGIES=(
  "async concurrency=$IO_WIDTH executor=threads executor_workers=$cores"
  "producer_consumer producers=$IO_WIDTH consumers=$cores queue_capacity=$queue"
  "threads workers=$IO_WIDTH"
  "threads workers=$((4 * cores < 8 ? 8 : 4 * cores))"   # 4 per core, as in the reference
)
# Bounded: an efficient run costs ~pages/5 x CPU_ITERATIONS x ~120 ns over the
# cores; ten times that, plus two minutes, per run, is room for a loaded machine.
# The same strategies under `hedge: auto` too (but the narrow threads, which leave
# cores idle whatever the policy): a crawl's last seconds are otherwise the retries
# of its unluckiest failure pages, which no solve order can shorten.
HEDGED=("${STRATEGIES[@]:0:3}")
run_bound_s=$(awk -v p="$pages" -v i="$CPU_ITERATIONS" -v c="$cores" -v d="$delay_scale" \
  'BEGIN {printf "%d", 120 + 10 * p / 5 * i * 120e-9 / c + 100 * d}')
concur_bound_s=$((run_bound_s * ${#STRATEGIES[@]}))
hedged_bound_s=$((run_bound_s * ${#HEDGED[@]}))

need_tools timeout awk
need_python csv
ensure_binary
table_csv=$(csv_path crawl-cpu)
runs_csv=${table_csv%.csv}.runs.csv
rm -f "$runs_csv"

log "cpu-heavy: load $(load1) before start ($cores cores); server: $pages pages, seed 42," \
  "delay_scale $delay_scale, puzzles $CPU_ITERATIONS cpu / 4 x $CORE_ITERATIONS core steps"
start_server "$BENCH_TMP/server.log" --seed 42 --pages "$pages" --delay-scale "$delay_scale" \
  --cpu-iterations "$CPU_ITERATIONS" --core-iterations "$CORE_ITERATIONS"
log "server $SERVER_URL (pid $SERVER_PID) answers /health"

# write_config FILE POLICY STRATEGY...: one repeat of each strategy, crawl policy
# `retry` (the default: retries, no copies) or `hedge_auto`.
write_config() {
  local file=$1 policy=$2 spec plugin opts kv
  shift 2
  {
    cat <<YAML
name: crawl-cpu
server:
  base_url: $SERVER_URL     # the server announces its puzzles at /, its graph at /api/cheat/
crawl:
  start: root
  max_pages: 0              # the whole graph: the bound is exact (bound_basis graph)
  timeout_ms: 10000
YAML
    [[ $policy == hedge_auto ]] && echo "  hedge: auto"
    echo "strategies:"
    for spec in "$@"; do
      read -r plugin opts <<<"$spec"
      echo "  - plugin: $plugin"
      for kv in $opts; do echo "    ${kv%%=*}: [${kv#*=}]"; done
    done
  } >"$file"
}
write_config "$BENCH_TMP/crawl-cpu-retry.yaml" retry "${STRATEGIES[@]}"
write_config "$BENCH_TMP/crawl-cpu-hedge_auto.yaml" hedge_auto "${HEDGED[@]}"

# Repeats interleave the two policies, so a noisy minute hits both alike; each
# concur run writes its own rows, merged below with their repeat number.
log "concur: $((${#STRATEGIES[@]} + ${#HEDGED[@]})) runs x $repeat, bound $(((concur_bound_s + hedged_bound_s) * repeat)) s, load $(load1)"
parts=()
failed_runs=0
for ((rep = 1; rep <= repeat; rep++)); do
  for policy in retry hedge_auto; do
    part=$BENCH_TMP/runs-$policy-$rep.csv
    bound=$concur_bound_s
    [[ $policy == hedge_auto ]] && bound=$hedged_bound_s
    run_concur_bounded "$bound" "$BENCH_TMP/crawl-cpu-$policy.yaml" "$part"
    ((rc == 0)) || failed_runs=1
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server died during concur's runs (see $BENCH_TMP/server.log)"
    [[ -s $part ]] && parts+=("$rep:$part")
  done
done
((${#parts[@]})) || die "concur wrote no rows"
"$PY" - "$runs_csv" "${parts[@]}" <<'PY'
import csv, sys
out, writer = open(sys.argv[1], "w", newline=""), None
for item in sys.argv[2:]:
    rep, path = item.split(":", 1)
    for row in csv.DictReader(open(path, newline="")):
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row))
            writer.writeheader()
        writer.writerow({**row, "repeat": rep})
PY

echo
echo "crawl, cpu-heavy: $pages-page graph crawled whole, seed 42, delay_scale $delay_scale," \
  "$CPU_ITERATIONS-step puzzles (core pages: 4 x $CORE_ITERATIONS); $cores cores"
trc=0
"$PY" - "$runs_csv" "$table_csv" "$BENCH_RUN_ID" "$GOAL" "$pages" "$delay_scale" \
  "$CPU_ITERATIONS" "$CORE_ITERATIONS" <<'PY' || trc=$?
import csv, statistics, sys
runs_path, out_path, run_id, goal, pages, delay_scale, cpu_it, core_it = sys.argv[1:]
goal = float(goal)
rows = list(csv.DictReader(open(runs_path, newline="")))
COLUMNS = ["run_id", "strategy", "options", "policy", "repeat", "status", "validity", "pages_ok",
           "pages_failed", "requests", "wall_s", "lower_bound_s", "critical_path_s",
           "cpu_bound_s", "bound_basis", "efficiency", "goal", "met", "cpu_s", "peak_parallel",
           "cores", "nproc", "load_start", "load_end", "foreign_cpu_s", "noisy", "graph_pages",
           "delay_scale", "cpu_iterations", "core_iterations", "error"]
out = csv.DictWriter(open(out_path, "w", newline=""), fieldnames=COLUMNS)
out.writeheader()
shown, bad = [], 0
def policy(r):
    return "hedge auto" if "hedge=auto" in r["fetch_policy"] else "retry"
for r in rows:
    ok = r["status"] == "ok" and r["efficiency"] != ""
    eff = float(r["efficiency"]) if ok else None
    met = "" if eff is None else ("yes" if eff >= goal else "no")
    bad += not ok
    cpu = float(r["cpu_user_s"]) + float(r["cpu_sys_s"])
    out.writerow({**{k: r.get(k, "") for k in COLUMNS}, "run_id": run_id, "goal": f">= {goal}",
                  "met": met, "policy": policy(r), "cpu_s": f"{cpu:.3f}", "graph_pages": pages,
                  "delay_scale": delay_scale, "cpu_iterations": cpu_it, "core_iterations": core_it})
    wall, cores = float(r["wall_s"]), int(r["cores"] or 1)
    others = (f"{100 * float(r['foreign_cpu_s']) / (cores * wall):.0f}%"
              if r["foreign_cpu_s"] and wall > 0 else "")
    shown.append([r["strategy"], r["options"], policy(r), r["repeat"], f"{r['pages_ok']}/{r['pages_failed']}",
                  f"{int(r['requests']) / max(1, int(r['pages_ok'])):.2f}",
                  f"{wall:.2f}", f"{float(r['lower_bound_s']):.2f}", f"{float(r['critical_path_s']):.2f}",
                  f"{float(r['cpu_bound_s']):.2f}", r["bound_basis"],
                  "" if eff is None else f"{eff:.3f}",
                  f">= {goal}: " + ({"yes": "met", "no": "MISSED"}.get(met) or r["status"]),
                  f"{cpu:.2f}", r["peak_parallel"], f"{r['load_start']}-{r['load_end']}", others])
head = ["strategy", "options", "policy", "rep", "ok/fail", "req/page", "wall s", "bound s", "crit s", "cpu bnd s",
        "basis", "eff", "goal", "cpu s", "peak", "load", "others"]
widths = [max(len(h), *(len(x[i]) for x in shown)) for i, h in enumerate(head)]
line = lambda xs: "  ".join(x.ljust(w) if i < 3 else x.rjust(w) for i, (x, w) in enumerate(zip(xs, widths)))
print(line(head))
print(line(["-" * w for w in widths]))
for x in shown:
    print(line(x))
effs = {}
for r in rows:
    if r["status"] == "ok" and r["efficiency"] != "":
        effs.setdefault((r["strategy"], r["options"], policy(r)), []).append(float(r["efficiency"]))
if any(len(v) > 1 for v in effs.values()):
    print("median eff over repeats:")
    for k, v in effs.items():
        print(f"  {k[0]} {k[1].split()[0]} ({k[2]}): {statistics.median(v):.3f} ({len(v)} runs, "
              f"goal >= {goal}: {'met' if statistics.median(v) >= goal else 'MISSED'})")
sys.exit(1 if bad else 0)
PY
cat <<NOTE
eff = concur's efficiency column: bound s / wall s, the bound being the larger of the
critical path (crit s: the slowest chain of fetches and solves through the graph) and
all the puzzles' CPU time spread over every core (cpu bnd s); basis graph = the server's
whole graph. policy: retry = the default (a failed attempt is retried, one request at a
time); hedge auto = copies where a page's slack asks for them (req/page: what that
costs). load = 1-minute load average before-after the run; others = CPU time other
processes took during it, as a share of all cores (the CSV's foreign_cpu_s): with it,
eff cannot reach 1. Goals are printed, never asserted.
NOTE
echo "CSV: $table_csv (concur's own rows: $runs_csv)"
((failed_runs == 0 && trc == 0)) || exit 1
exit 0
