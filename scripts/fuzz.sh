#!/usr/bin/env bash
# libFuzzer on every parser of untrusted bytes (tests/fuzz/: config, page,
# options, report, http_request, wire, timeline, results_json).
#   scripts/fuzz.sh [--seconds N | --ci] [TARGET...]
# Builds build-fuzz with clang (libFuzzer + ASan + UBSan), then runs each target
# for N seconds (default 600; CI runs 30), two at a time, from its seeds
# (tests/fuzz/corpus/TARGET, read only) and a work corpus kept between runs
# (build-fuzz/corpus/TARGET). Prints executions per target. A crash stops the
# script: the input is in build-fuzz/crashes/TARGET/, replay it with
#   build-fuzz/fuzz_TARGET build-fuzz/crashes/TARGET/crash-...
# and, with the fix, copy it into tests/fuzz/regressions/TARGET/ (the normal
# build replays that folder in ctest: fuzz_replay_TARGET).
# --ci: what CI runs — seed 1 and a fixed number of inputs per target (about
# 30 s each here) from the committed seeds only, so a clean checkout fuzzes
# the same inputs every time: a red CI is a real crash, found again by rerunning.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=600
ci=0
targets=()
while (($#)); do
  case $1 in
    --seconds) seconds=${2:?--seconds needs a value}; shift 2 ;;
    --ci) ci=1; shift ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option '$1'" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --seconds must be a positive integer" >&2; exit 2; }
((${#targets[@]})) || targets=(config page options report http_request wire timeline results_json)
for t in "${targets[@]}"; do
  [[ -d tests/fuzz/corpus/$t ]] || { echo "fuzz.sh: no target '$t' (tests/fuzz/corpus/$t)" >&2; exit 2; }
done

# Inputs per target in --ci mode: ~30 s each at the rates measured on the
# 2-core machines (docs/architecture.md, "Fuzzing").
declare -A ci_runs=([config]=200000 [page]=600000 [options]=200000 [report]=150000
  [http_request]=100000 [wire]=300000 [timeline]=100000 [results_json]=250000)
if ((ci)); then
  for t in "${targets[@]}"; do
    [[ -n ${ci_runs[$t]:-} ]] || { echo "fuzz.sh: no --ci input count for '$t' (ci_runs)" >&2; exit 2; }
  done
fi

scripts/install-deps.sh >&2
build=build-fuzz
if [[ ! -f $build/CMakeCache.txt ]]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCONCUR_BUILD_TESTS=OFF -DCONCUR_FUZZ=ON -DCONCUR_SANITIZE=address,undefined >&2
fi
cmake --build "$build" -j2 --target "${targets[@]/#/fuzz_}" >&2

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# fuzz_one TARGET: its run's log in build-fuzz/logs/TARGET.log; exit status kept.
fuzz_one() {
  local t=$1 extent corpus=("$build/corpus/$t")
  if ((ci)); then
    extent=(-seed=1 "-runs=${ci_runs[$t]}")
    corpus=("$build/ci-corpus/$t")
    rm -rf "${corpus[0]}"
  else
    extent=("-max_total_time=$seconds")
  fi
  mkdir -p "${corpus[0]}" "$build/crashes/$t" "$build/logs"
  corpus+=("tests/fuzz/corpus/$t")
  [[ -d tests/fuzz/regressions/$t ]] && corpus+=("tests/fuzz/regressions/$t")
  "$build/fuzz_$t" "${extent[@]}" -timeout=20 -rss_limit_mb=4096 \
    -artifact_prefix="$build/crashes/$t/" -print_final_stats=1 \
    "${corpus[@]}" >"$build/logs/$t.log" 2>&1
}

if ((ci)); then
  echo "fuzz.sh: ${#targets[@]} target(s), seed 1, a fixed number of inputs each, two at a time" >&2
else
  echo "fuzz.sh: ${#targets[@]} target(s), $seconds s each, two at a time" >&2
fi

failed=()
pids=() names=()
for t in "${targets[@]}"; do
  fuzz_one "$t" &
  pids+=("$!") names+=("$t")
  if ((${#pids[@]} == 2)); then
    wait "${pids[0]}" || failed+=("${names[0]}")
    pids=("${pids[@]:1}") names=("${names[@]:1}")
  fi
done
for i in "${!pids[@]}"; do wait "${pids[$i]}" || failed+=("${names[$i]}"); done

printf '%-14s %12s %10s %8s\n' target executions exec/s corpus
for t in "${targets[@]}"; do
  log=$build/logs/$t.log
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
  speed=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
  corpus=$(find "$build/$( ((ci)) && echo ci-corpus || echo corpus)/$t" -type f | wc -l)
  printf '%-14s %12s %10s %8s\n' "$t" "$runs" "$speed" "$corpus"
done
if ((${#failed[@]})); then
  for t in "${failed[@]}"; do
    echo "fuzz.sh: $t FAILED; the end of $build/logs/$t.log:" >&2
    tail -n 40 "$build/logs/$t.log" >&2
    ls "$build/crashes/$t" >&2
  done
  exit 1
fi
echo "fuzz.sh: no crash" >&2
