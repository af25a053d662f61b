#!/usr/bin/env bash
# ns per md5-chain iteration: `concur solve` against CPython hashlib doing the same
# chain, both rules, side by side in one run, repeats interleaved; checks both agree.
#   scripts/bench-hash.sh [--iterations N] [--py-iterations M] [--repeat R]
#                         [--seed S] [--csv PATH] [--smoke]
# --smoke: 20,000 steps (CPython 2,000), 1 repeat (~1 s), to check the script
# and its table, not a measurement.
# Targets (printed, not asserted): concur <= 90 ns/iteration, >= 5x faster than CPython.
set -euo pipefail
# shellcheck source=scripts/bench_lib.sh
source "$(dirname "$0")/bench_lib.sh"

iterations=5000000
py_iterations=""
repeat=5
seed=concur-bench
csv=""
while (($#)); do
  case $1 in
    --iterations) iterations=${2:?}; shift 2 ;;
    --py-iterations) py_iterations=${2:?}; shift 2 ;;
    --repeat) repeat=${2:?}; shift 2 ;;
    --seed) seed=${2:?}; shift 2 ;;
    --csv) csv=${2:?}; shift 2 ;;
    --smoke) smoke_start; iterations=20000; repeat=1; shift ;;
    -h | --help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
# CPython runs ~6x slower per step: a tenth of the steps keeps the whole script near
# a minute; ns/iteration compares across different N.
py_iterations=${py_iterations:-$((iterations / 10))}
for v in "$iterations" "$py_iterations" "$repeat"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || die "iterations and repeat must be positive integers (got '$v')"
done

need_tools timeout
need_python hashlib
ensure_binary
csv=$(csv_path hash "$csv")
echo "run_id,time_utc,impl,rule,repeat,iterations,wall_s,ns_per_iter,cpu_ns_per_iter,result,load1,ratio_vs_concur,target,met" >"$csv"

# python_chain SEED N RULE -> "result wall_s cpu_s" (the protocol's chain, one process)
python_chain() {
  timeout -k 5 600 "$PY" - "$@" <<'EOF'
import hashlib, sys, time
seed, n, rule = sys.argv[1], int(sys.argv[2]), sys.argv[3]
md5, r = hashlib.md5, seed
t0, c0 = time.perf_counter(), time.process_time()
if rule == "indexed":
    for i in range(n):
        r = md5(f"{r}_{i}".encode()).hexdigest()
else:
    for i in range(n):
        r = md5(r.encode()).hexdigest()
print(r, time.perf_counter() - t0, time.process_time() - c0)
EOF
}

# concur_chain SEED N RULE -> "result wall_s ns_per_iter cpu_s" (wall time: concur's own)
concur_chain() {
  local out=$BENCH_TMP/solve.out err=$BENCH_TMP/solve.err tf=$BENCH_TMP/solve.time
  local TIMEFORMAT='%U %S'
  { time timeout -k 5 600 "$CONCUR_BIN" solve "$1" --iterations "$2" --rule "$3" >"$out" 2>"$err"; } 2>"$tf" ||
    { cat "$err" >&2; die "concur solve failed"; }
  local line
  line=$(grep -E '^[0-9]+ iterations \(' "$err") || { cat "$err" >&2; die "cannot parse concur solve's timing line"; }
  # "N iterations (rule) in X s, Y ns/iteration"
  read -r _ _ _ _ wall _ ns _ <<<"$line"
  echo "$(head -n1 "$out") $wall ${ns%,} $(awk '{print $1 + $2}' "$tf")"
}

record() {  # impl rule repeat n result wall ns cpu_s
  local cpu_ns
  cpu_ns=$(awk -v c="$8" -v n="$4" 'BEGIN {printf "%.1f", c * 1e9 / n}')
  echo "$BENCH_RUN_ID,$(date -u +%H:%M:%S),$1,$2,$3,$4,$6,$7,$cpu_ns,$5,$(load1),,," >>"$csv"
  printf '  %-7s %-8s repeat %-3s %10s it  %8s ns/it  (cpu %s)  load %s\n' "$1" "$2" "$3" "$4" "$7" "$cpu_ns" "$(load1)" >&2
}

# The check: concur at the Python length must give Python's result, every time.
declare -A expect
for rule in indexed plain; do
  out=$(concur_chain "$seed" "$py_iterations" "$rule")
  expect[$rule]=${out%% *}
done

log "seed '$seed': concur $iterations it, python $py_iterations it, $repeat repeats, load $(load1)"
declare -A concur_result
for ((rep = 1; rep <= repeat; rep++)); do
  for rule in indexed plain; do
    order=(concur python)
    ((rep % 2 == 0)) && order=(python concur)   # alternate who runs first
    for impl in "${order[@]}"; do
      if [[ $impl == concur ]]; then
        out=$(concur_chain "$seed" "$iterations" "$rule")
        read -r res wall ns cpu <<<"$out"
        [[ -z ${concur_result[$rule]:-} || ${concur_result[$rule]} == "$res" ]] ||
          die "MISMATCH: concur solve ($rule) gave ${concur_result[$rule]} then $res for the same chain"
        concur_result[$rule]=$res
        record concur "$rule" "$rep" "$iterations" "$res" "$wall" "$ns" "$cpu"
      else
        out=$(python_chain "$seed" "$py_iterations" "$rule") || die "python chain failed"
        read -r res wall cpu <<<"$out"
        if [[ $res != "${expect[$rule]}" ]]; then
          die "MISMATCH ($rule, seed '$seed', $py_iterations iterations): concur ${expect[$rule]}, CPython $res"
        fi
        ns=$(awk -v w="$wall" -v n="$py_iterations" 'BEGIN {printf "%.1f", w * 1e9 / n}')
        record python "$rule" "$rep" "$py_iterations" "$res" "$(printf '%.3f' "$wall")" "$ns" "$cpu"
      fi
    done
  done
done

echo
echo "md5 chain, seed '$seed' (results agree: indexed ${expect[indexed]:0:12}..., plain ${expect[plain]:0:12}... at $py_iterations it)"
"$PY" "$BENCH_TABLE" hash "$csv"
echo "CSV: $csv"
