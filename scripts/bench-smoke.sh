#!/usr/bin/env bash
# Every scripts/bench-*.sh once in its smoke mode (--smoke: tiny sizes, each a few
# seconds), so that a broken benchmark shows before anyone needs it. Checks that
# each exits 0 and writes at least one CSV with a row; fails (exit 1) if any
# does not. A smoke run checks the scripts, it measures nothing: its CSVs go to
# a temporary folder (kept with --keep DIR) and its figures are not to be quoted.
#   scripts/bench-smoke.sh [--keep DIR] [NAME...]   NAME: hash, server, ... (default: all)
# A script's other mode is a NAME of its own: crawl-cpu is bench-crawl.sh --cpu-heavy.
# CI (.ci/run) runs it after the test suite. CONCUR_BIN=PATH: as for each script.
set -euo pipefail
cd "$(dirname "$0")/.."
keep=""
names=()
# Modes of a script smoked apart from its default: NAME -> "SCRIPT-NAME ARGS".
declare -A MODES=([crawl-cpu]="crawl --cpu-heavy")
while (($#)); do
  case $1 in
    --keep) keep=${2:?--keep needs a folder}; shift 2 ;;
    -h | --help) awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench-smoke: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
if ((${#names[@]} == 0)); then
  for f in scripts/bench-*.sh; do
    n=${f#scripts/bench-}
    n=${n%.sh}
    [[ $n == smoke ]] || names+=("$n")
  done
  for n in "${!MODES[@]}"; do names+=("$n"); done
fi
for n in "${names[@]}"; do
  read -r script _ <<<"${MODES[$n]:-$n}"
  [[ -x scripts/bench-$script.sh ]] || { echo "bench-smoke: no scripts/bench-$script.sh" >&2; exit 2; }
done

out=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/concur-bench-smoke.XXXXXX")}
mkdir -p "$out"
[[ -n $keep ]] || trap 'rm -rf "$out"' EXIT
# One build up front; each script's own incremental build then finds nothing to do.
if [[ -z ${CONCUR_BIN:-} ]]; then
  CONCUR_TARGETS="concur concur_plugins concur_bench_hooks" scripts/build.sh build -DCONCUR_WERROR=ON
fi

echo "bench-smoke: every benchmark script once at tiny sizes, to check that it works;"
echo "bench-smoke: the figures below measure nothing."
failed=()
results=()
start=$SECONDS
for n in "${names[@]}"; do
  dir=$out/$n
  mkdir -p "$dir"
  t0=$SECONDS rc=0
  read -r script args <<<"${MODES[$n]:-$n}"
  # Bounded: a smoke run takes seconds; 3 minutes means it hangs.
  # shellcheck disable=SC2086  # args is a word list on purpose
  CONCUR_BENCH_OUT=$dir timeout -k 10 180 "scripts/bench-$script.sh" $args --smoke >"$dir/output.txt" 2>&1 || rc=$?
  secs=$((SECONDS - t0))
  problem=""
  if ((rc != 0)); then
    problem="exited $rc"
  else
    rows=$(find "$dir" -name '*.csv' -exec awk 'END {if (NR >= 2) print FILENAME}' {} \; | wc -l)
    ((rows > 0)) || problem="wrote no CSV with a row"
  fi
  if [[ -n $problem ]]; then
    failed+=("$n")
    results+=("$(printf '%-12s %4d s  FAILED: %s' "$n" "$secs" "$problem")")
    echo "---- bench-$script.sh $args --smoke: $problem; its output:"
    tail -n 40 "$dir/output.txt"
  else
    results+=("$(printf '%-12s %4d s  ok' "$n" "$secs")")
  fi
done
echo
printf '%s\n' "${results[@]}"
echo "bench-smoke: ${#names[@]} scripts in $((SECONDS - start)) s, ${#failed[@]} failed${keep:+; output in $keep}"
((${#failed[@]} == 0))
