#!/usr/bin/env bash
# Multi-chain md5 against one chain at a time, per core, side by side:
#   scripts/bench-lanes.sh [--quick | --smoke] [--repeat R] [--csv PATH]
# One chain (`concur solve`, OpenSSL's compression, the crawler's path), then
# 16 chains together at each lane level this CPU runs (`concur solve --chains
# 16 --lanes L`: scalar = one after another, sse2 = 4 per vector, avx2 = 8,
# avx512 = 16), all in one thread, repeats interleaved. Figure: ns per chain
# step; ratio = the single chain's ns/step over the level's. Every level's
# first result must equal the single chain's (checked, not assumed).
# Target: the widest level >= 4x the single-chain
# rate per core. Printed, never asserted.
# Then a few chains (2 and 4) at each level and at `--lanes auto`, the level a
# crawl takes for that many (step costs timed at start): auto should be the
# fastest level, or within noise of it.
# Then a CPU-bound crawl (PAGES pages, cpu puzzles of STEPS steps, core
# puzzles of 4 x STEPS/4, delays x0.01) with async's executor threads (one per
# core) and fibers' cpu_offload, `lanes` off and on, interleaved: with lanes a
# backlog of pages shares the vectors (lanes_batches against puzzle pages).
# --quick: 200,000 steps per chain, 1 repeat, crawl 150 pages (~20 s); default
# 2,000,000 steps, 5 repeats, crawl 300 pages (~2 min). --smoke: 20,000
# steps, 1 repeat, crawl 30 pages (~5 s), to check the script and its tables,
# not a measurement. CONCUR_BIN=PATH uses that binary.
set -euo pipefail
# shellcheck source=scripts/bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"

bench_args "$@"
[[ -z $pages ]] || die "--pages has no meaning here"
[[ -z $repeat ]] && { ((quick || smoke)) && repeat=1 || repeat=5; }
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "--repeat must be an integer >= 1 (got '$repeat')"
iterations=$( ((smoke)) && echo 20000 || { ((quick)) && echo 200000 || echo 2000000; })
ensure_binary
out_csv=$(csv_path lanes "$csv_arg")
seed=concur-lanes
levels=$("$CONCUR_BIN" solve x -n 1 --lanes avx512 >/dev/null 2>&1 && echo "scalar sse2 avx2 avx512" ||
  { "$CONCUR_BIN" solve x -n 1 --lanes avx2 >/dev/null 2>&1 && echo "scalar sse2 avx2" || echo "scalar sse2"; })
log "levels on this CPU: $levels; $iterations steps per chain, $repeat repeat(s)"

echo "variant,repeat,chains,iterations,wall_s,ns_per_step,load1,level" >"$out_csv"
# run VARIANT REPEAT ARGS...: one `concur solve`, its timing line parsed (the
# level it ran: the one asked for, or auto's choice).
run() {
  local variant=$1 rep=$2 line wall ns chains level
  shift 2
  "$CONCUR_BIN" solve "$@" >"$BENCH_TMP/$variant.out" 2>"$BENCH_TMP/err" ||
    { cat "$BENCH_TMP/err" >&2; die "concur solve $* failed"; }
  line=$(tail -n1 "$BENCH_TMP/err")
  wall=$(grep -oE 'in [0-9.]+ s' <<<"$line" | awk '{print $2}')
  ns=$(grep -oE '[0-9.]+ ns/(step|iteration)' <<<"$line" | awk '{print $1}')
  level=$(grep -oE '[a-z0-9]+ lanes\)' <<<"$line" | awk '{print $1}' || true)
  chains=$(wc -l <"$BENCH_TMP/$variant.out")
  echo "$variant,$rep,$chains,$iterations,$wall,$ns,$(load1),${level:-scalar}" >>"$out_csv"
}
for ((rep = 1; rep <= repeat; rep++)); do
  log "[$rep/$repeat] single chain, then 16 chains at: $levels (load $(load1))"
  run single "$rep" "$seed-0" -n "$iterations"
  for level in $levels; do
    run "$level" "$rep" "$seed" -n "$iterations" --chains 16 --lanes "$level"
    [[ $(head -n1 "$BENCH_TMP/$level.out") == "$(cat "$BENCH_TMP/single.out")" ]] ||
      die "$level lanes disagree with the single chain for $seed-0"
  done
  for chains in 2 4; do
    for level in $levels auto; do
      run "$level" "$rep" "$seed" -n "$iterations" --chains "$chains" --lanes "$level"
    done
  done
done

# A CPU-bound crawl, lanes off and on, every configuration in each round.
crawl_pages=$( ((smoke)) && echo 30 || { ((quick)) && echo 150 || echo 300; })
crawl_steps=$( ((smoke)) && echo 20000 || { ((quick)) && echo 500000 || echo 2000000; })
cores=$(nproc)
crawl_csv=${out_csv%.csv}.crawl.csv
log "crawl: $crawl_pages pages, cpu puzzles of $crawl_steps steps, $cores executor threads (load $(load1))"
start_server "$BENCH_TMP/server.log" --seed 7 --pages "$crawl_pages" --delay-scale 0.01 \
  --failure-rate 0 --cpu-iterations "$crawl_steps" --core-iterations $((crawl_steps / 4))
cat >"$BENCH_TMP/crawl.yaml" <<YAML
name: bench-lanes-crawl
server:
  base_url: $SERVER_URL
crawl:
  start: root
  max_pages: 0
strategies:
  - plugin: async
    concurrency: 100
    executor: threads
    executor_workers: $cores
    lanes: [false, true]
  - plugin: fibers
    fibers: 100
    cpu_offload: true
    lanes: [false, true]
repeat: $repeat
order: interleaved
YAML
# Each run at most a fifth of the pages' puzzles at 200 ns a step over the cores, ten times over.
bound=$(awk -v p="$crawl_pages" -v i="$crawl_steps" -v c="$cores" -v r="$repeat" \
  'BEGIN {printf "%d", 120 + 4 * r * 10 * (p / 5 * i * 200e-9 / c + 1)}')
run_concur_bounded "$bound" "$BENCH_TMP/crawl.yaml" "$crawl_csv"

"$PY" - "$out_csv" "$crawl_csv" <<'PY'
import csv, os, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
by = {}
for r in rows:
    if r["variant"] == "single" or r["chains"] == "16":
        by.setdefault(r["variant"], []).append(float(r["ns_per_step"]))
single = statistics.median(by["single"])
widest = list(by)[-1]
print(f"{'variant':<10} {'median ns/step':>15} {'min':>8} {'x single chain':>15}")
for v, ns in by.items():
    m = statistics.median(ns)
    print(f"{v:<10} {m:>15.2f} {min(ns):>8.2f} {single / m:>15.2f}")
ratio = single / statistics.median(by[widest])
print(f"\ntarget: {widest} >= 4x the single chain per core: {ratio:.2f}x "
      f"{'met' if ratio >= 4 else 'MISSED'}")

print("\nA few chains: ns per chain step (median); auto = the level a crawl takes")
for chains in ("2", "4"):
    few = {}
    picked = set()
    for r in rows:
        if r["chains"] == chains:
            few.setdefault(r["variant"], []).append(float(r["ns_per_step"]))
            if r["variant"] == "auto":
                picked.add(r["level"])
    medians = {v: statistics.median(ns) for v, ns in few.items()}
    fastest = min((v for v in medians if v != "auto"), key=medians.get)
    cells = "  ".join(f"{v} {m:.1f}" for v, m in medians.items())
    print(f"{chains} chains: {cells}; fastest {fastest}, auto took {'/'.join(sorted(picked))} "
          f"({medians['auto'] / medians[fastest]:.2f}x the fastest)")

crawl = sys.argv[2]
if not os.path.exists(crawl):
    sys.exit("bench-lanes: the crawl wrote no runs CSV")
runs = {}
for r in csv.DictReader(open(crawl)):
    metrics = dict(kv.split("=", 1) for kv in r["metrics"].split() if "=" in kv)
    runs.setdefault(r["strategy"] + " " + r["options"], []).append(
        (r["status"], float(r["wall_s"]), float(r["cpu_user_s"]) + float(r["cpu_sys_s"]),
         int(r["solves"]), float(metrics.get("lanes_batches", "nan")), float(r["efficiency"] or "nan")))
print("\nA CPU-bound crawl, medians (chains = the run's solves; batches = its lanes_batches, the\n"
      "solve_tasks calls that solved them)")
width = max(len("strategy/options"), *(len(label) for label in runs))
print(f"{'strategy/options':<{width}} {'n':>2} {'ok':>3} {'wall s':>7} {'cpu s':>7} {'chains':>7} {'batches':>8} {'eff':>6}")
walls = {}
for label, rs in runs.items():
    med = lambda k: statistics.median(x[k] for x in rs)
    walls[label] = med(1)
    ok = sum(x[0] == "ok" for x in rs)
    batches = "-" if med(4) != med(4) else f"{med(4):.0f}"  # nan: no lanes, no batches
    print(f"{label:<{width}} {len(rs):>2} {ok:>3} {med(1):>7.3f} {med(2):>7.2f} {med(3):>7.0f} {batches:>8} {med(5):>6.3f}")
for label in walls:
    if "lanes=true" in label:
        off = label.replace("lanes=true", "lanes=false")
        if off in walls:
            print(f"{label.split()[0]}: lanes on / off wall {walls[label] / walls[off]:.2f}")
print("eff = wall against the run's own lower bound; with lanes the bound charges each page its "
      "share of its batch's CPU,\nless than any page could take alone, so a batched run is held to a tighter bound.")
PY
log "wrote $out_csv and $crawl_csv"
