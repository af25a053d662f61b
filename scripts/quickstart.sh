#!/usr/bin/env bash
# README command 1: install what is missing, build, and run the main job — a
# strategy comparison on the embedded demo server — printing a summary table
# and writing results/quickstart.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
exec build/concur run configs/quickstart.yaml "$@"
