#!/usr/bin/env bash
# Configures and builds concur into a build folder. Used by quickstart.sh and test.sh
# (both with -DCONCUR_WERROR=ON: one configuration, so the second reuses the first's build).
#   scripts/build.sh [BUILD_DIR] [extra cmake -D options...]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
shift || true
mkdir -p "$build_dir"
cmake -S . -B "$build_dir" -G Ninja "$@" >"$build_dir/configure.log" 2>&1 ||
  { cat "$build_dir/configure.log"; exit 1; }
# Two cores on the reference machines; more jobs only thrash. CONCUR_TARGETS
# (space-separated) builds only those targets, e.g. for a sanitizer subset.
targets=()
for t in ${CONCUR_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build_dir" -j "${CONCUR_JOBS:-2}" "${targets[@]}"
