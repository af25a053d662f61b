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
# --quick: 200,000 steps per chain, 1 repeat (~5 s); default 2,000,000 steps,
# 5 repeats (~40 s). --smoke: 20,000 steps, 1 repeat (~1 s), to check the
# script and its table, not a measurement. CONCUR_BIN=PATH uses that binary.
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

echo "variant,repeat,chains,iterations,wall_s,ns_per_step,load1" >"$out_csv"
# run VARIANT REPEAT ARGS...: one `concur solve`, its timing line parsed.
run() {
  local variant=$1 rep=$2 line wall ns chains
  shift 2
  "$CONCUR_BIN" solve "$@" >"$BENCH_TMP/$variant.out" 2>"$BENCH_TMP/err" ||
    { cat "$BENCH_TMP/err" >&2; die "concur solve $* failed"; }
  line=$(tail -n1 "$BENCH_TMP/err")
  wall=$(grep -oE 'in [0-9.]+ s' <<<"$line" | awk '{print $2}')
  ns=$(grep -oE '[0-9.]+ ns/(step|iteration)' <<<"$line" | awk '{print $1}')
  chains=$(wc -l <"$BENCH_TMP/$variant.out")
  echo "$variant,$rep,$chains,$iterations,$wall,$ns,$(load1)" >>"$out_csv"
}
for ((rep = 1; rep <= repeat; rep++)); do
  log "[$rep/$repeat] single chain, then 16 chains at: $levels (load $(load1))"
  run single "$rep" "$seed-0" -n "$iterations"
  for level in $levels; do
    run "$level" "$rep" "$seed" -n "$iterations" --chains 16 --lanes "$level"
    [[ $(head -n1 "$BENCH_TMP/$level.out") == "$(cat "$BENCH_TMP/single.out")" ]] ||
      die "$level lanes disagree with the single chain for $seed-0"
  done
done

"$PY" - "$out_csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
by = {}
for r in rows:
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
PY
log "wrote $out_csv"
