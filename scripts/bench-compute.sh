#!/usr/bin/env bash
# Compute experiments: scaling with and without the simulated GIL, side by side.
#   scripts/bench-compute.sh [--quick | --smoke] [--repeat R] [--csv PATH]
# Four experiments, each a `concur run` of a generated config, repeats going
# round the whole matrix:
#   md5     md5_chain tasks (native, no GIL), sequential, threads and processes
#           with 1..2x cores workers. Target: parallel efficiency >= 0.9 at
#           workers = cores, for threads and processes.
#   gil     32 Lua sum_of_squares tasks, gil true and false, sequential, threads and
#           processes at workers = cores. Targets with gil: true: threads'
#           speedup <= 1.2, processes' >= 0.9 x cores.
#   gilcost the same tasks, sequential only, gil true and false, 7 repeats (quick
#           5): the GIL's single-thread cost, fastest wall with gil on / fastest
#           with gil off. Target <= 1.05. The work is deterministic, so a slower
#           repeat measured the machine (a neighbour, a frequency step), not the
#           GIL: the fastest of several is the work itself. The median ratio of
#           the repeats, paired in order, is printed beside it.
#   startup as many near-empty tasks as workers: the process pool's start-up
#           (fork, socketpair, teardown) per worker, threads beside it.
# --quick: 1 repeat, smaller tasks (~10 s); default 3 repeats (~1.5 min). --smoke:
# 1 repeat, tiny tasks (~5 s), to check the script and its tables, not a measurement.
# CONCUR_BIN=PATH uses that binary. Writes results/bench/compute-<UTC>.csv (the
# runs) and compute-<UTC>.table.csv (the printed table, gil_cost included).
# Targets are printed, never asserted.
set -euo pipefail
# shellcheck source=scripts/bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"

bench_args "$@"
[[ -z $pages ]] || die "--pages has no meaning here"
[[ -z $repeat ]] && { ((quick || smoke)) && repeat=1 || repeat=3; }
[[ $repeat =~ ^[1-9][0-9]*$ ]] || die "--repeat must be an integer >= 1 (got '$repeat')"
ensure_binary
out_csv=$(csv_path compute "$csv_arg")
cores=$(nproc)
md5_iterations=$( ((smoke)) && echo 20000 || { ((quick)) && echo 500000 || echo 2000000; })
lua_n=$( ((smoke)) && echo 20000 || { ((quick)) && echo 1000000 || echo 3000000; })
workers_list=$(seq -s, 1 $((2 * cores)))

cat >"$BENCH_TMP/md5.yaml" <<YAML
name: md5
compute:
  tasks: [{kernel: md5_chain, count: 16, iterations: $md5_iterations}]
strategies:
  - plugin: sequential
  - {plugin: threads, workers: [$workers_list]}
  - {plugin: processes, workers: [$workers_list]}
repeat: $repeat
YAML
cat >"$BENCH_TMP/gil.yaml" <<YAML
name: gil
compute:
  tasks: [{kernel: "lua:$BENCH_ROOT/scripts/kernels.lua#sum_of_squares", count: 32, args: [$lua_n]}]
  gil: [true, false]
strategies:
  - plugin: sequential
  - {plugin: threads, workers: $cores}
  - {plugin: processes, workers: $cores}
repeat: $repeat
YAML
cat >"$BENCH_TMP/gilcost.yaml" <<YAML
name: gilcost
compute:
  tasks: [{kernel: "lua:$BENCH_ROOT/scripts/kernels.lua#sum_of_squares", count: 32, args: [$lua_n]}]
  gil: [true, false]
strategies:
  - plugin: sequential
repeat: $( ((smoke)) && echo 1 || { ((quick)) && echo 5 || echo 7; })
YAML
cat >"$BENCH_TMP/startup.yaml" <<YAML
name: startup
compute:
  tasks: [{kernel: sum_of_squares, count: 8, args: [1]}]
strategies:
  - {plugin: threads, workers: 8}
  - {plugin: processes, workers: 8}
repeat: $((repeat * 3))
YAML

first=1
for experiment in md5 gil gilcost startup; do
  log "$experiment: concur run (cores $cores, load $(load1))"
  "$CONCUR_BIN" run -q "$BENCH_TMP/$experiment.yaml" -o "$BENCH_TMP/$experiment.csv" \
    2>"$BENCH_TMP/$experiment.log" || { cat "$BENCH_TMP/$experiment.log" >&2; die "$experiment failed"; }
  if ((first)); then cp "$BENCH_TMP/$experiment.csv" "$out_csv"; first=0
  else tail -n +2 "$BENCH_TMP/$experiment.csv" >>"$out_csv"; fi
done

table_csv=${out_csv%.csv}.table.csv
"$PY" - "$out_csv" "$cores" "$table_csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
cores = int(sys.argv[2])
groups = {}
for r in rows:
    groups.setdefault((r["experiment"], r["strategy"], r["options"]), []).append(r)
def med(rs, key):
    vals = [float(r[key]) for r in rs if r[key] not in ("", None)]
    return statistics.median(vals) if vals else float("nan")
# The GIL's cost on one thread (experiment gilcost): the fastest sequential wall
# with gil on over the fastest with it off. Deterministic work: noise only adds.
walls = {"gil=true": [], "gil=false": []}
by_repeat = {}
for r in rows:
    if r["experiment"] == "gilcost":
        walls[r["options"]].append(float(r["wall_s"]))
        by_repeat[(r["options"], r["repeat"])] = float(r["wall_s"])
gil_cost = (min(walls["gil=true"]) / min(walls["gil=false"])
            if walls["gil=true"] and walls["gil=false"] else float("nan"))
ratios = [by_repeat[("gil=true", rep)] / by_repeat[("gil=false", rep)]
          for (opts, rep) in by_repeat if opts == "gil=true" and ("gil=false", rep) in by_repeat]
median_ratio = statistics.median(ratios) if ratios else float("nan")
table = csv.writer(open(sys.argv[3], "w", newline=""))
table.writerow(["experiment", "strategy", "options", "wall_s", "speedup", "parallel_efficiency",
                "gil_cost", "target"])
print(f"{'experiment':<9} {'strategy':<11} {'options':<34} {'wall_s':>7} {'speedup':>8} {'par.eff':>8} {'gil cost':>8}  target")
for (exp, strategy, options), rs in groups.items():
    wall, speedup, eff = med(rs, "wall_s"), med(rs, "speedup"), med(rs, "parallel_efficiency")
    workers = next((int(o.split("=")[1]) for o in options.split() if o.startswith("workers=")), 1)
    target = ""
    cost = gil_cost if exp == "gilcost" and options == "gil=true" else None
    if cost is not None:
        target = f"gil cost <= 1.05: {'met' if cost <= 1.05 else 'MISSED'}"
    if exp == "md5" and strategy != "sequential" and workers == cores:
        target = f"eff >= 0.9: {'met' if eff >= 0.9 else 'MISSED'}"
    if exp == "gil" and "gil=true" in options and strategy == "threads":
        target = f"speedup <= 1.2: {'met' if speedup <= 1.2 else 'MISSED'}"
    if exp == "gil" and "gil=true" in options and strategy == "processes":
        target = f"speedup >= {0.9 * cores:.1f}: {'met' if speedup >= 0.9 * cores else 'MISSED'}"
    if exp == "startup":
        target = f"{wall / workers * 1000:.2f} ms per worker"
    cost_text = f"{cost:.3f}" if cost is not None else ""
    shown = lambda v: "-" if v != v else f"{v:.3f}"  # NaN: nothing compared (a group of one)
    print(f"{exp:<9} {strategy:<11} {options:<34} {wall:>7.3f} {shown(speedup):>8} {shown(eff):>8} {cost_text:>8}  {target}")
    table.writerow([exp, strategy, options, f"{wall:.4f}", f"{speedup:.4f}", f"{eff:.4f}",
                    f"{cost:.4f}" if cost is not None else "", target])
print(f"GIL single-thread cost (sequential, fastest wall of {len(walls['gil=true'])} with gil on / "
      f"fastest of {len(walls['gil=false'])} off): {gil_cost:.3f} "
      f"(target <= 1.05: {'met' if gil_cost <= 1.05 else 'MISSED'}); "
      f"median of the paired ratios {median_ratio:.3f}")
PY
log "wrote $out_csv and $table_csv"
