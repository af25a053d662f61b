#!/usr/bin/env bash
# README command 1: install what building and running need (no test tools),
# build the binary and its plugins, and run the main job — a strategy
# comparison on the embedded demo server — printing a summary table and
# writing results/quickstart.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --build-only
# test.sh configures build/ with the same options and adds the test binaries
# to it: nothing built here is built again.
CONCUR_TARGETS="concur concur_plugins" scripts/build.sh build -DCONCUR_WERROR=ON
exec build/concur run configs/quickstart.yaml "$@"
