#!/usr/bin/env bash
# Installs the Debian 12 packages concur needs to build, test and benchmark.
# Idempotent: installs only what is missing, and touches apt only when something is.
#   scripts/install-deps.sh               the build's packages and the test and
#                                         benchmark tools (scripts/test.sh)
#   scripts/install-deps.sh --build-only  only what building and running need
#                                         (scripts/quickstart.sh, docker/Dockerfile)
#   scripts/install-deps.sh --help        this text, and both package lists
set -euo pipefail

# Building concur; running it needs nothing more (a distributed run also needs a
# Redis server somewhere: redis-server is among the test packages).
BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libyaml-cpp-dev
  liblua5.4-dev catch2 libcli11-dev libboost-dev libboost-context-dev libhiredis-dev
)
# Testing and benchmarking it: the course's Python crawlers, YAML and JSON-schema checks, wrk,
# Redis, network namespaces and stunnel (distributed), clang and libFuzzer (scripts/fuzz.sh),
# a headless browser for the report's test, and pgrep (scripts/bench-hostile.sh).
TEST_PACKAGES=(
  python3 python3-requests python3-aiohttp python3-bs4 python3-requests-futures
  python3-yaml python3-jsonschema wrk chromium
  redis-server iproute2 stunnel4
  clang libclang-rt-14-dev procps
)

PACKAGES=("${BUILD_PACKAGES[@]}")
case ${1:-} in
  "") PACKAGES+=("${TEST_PACKAGES[@]}") ;;
  --build-only) ;;
  -h | --help)
    awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0" | sed 's/^# \{0,1\}//'
    echo
    echo "build and run (${#BUILD_PACKAGES[@]}): ${BUILD_PACKAGES[*]}"
    echo "tests and benchmarks (${#TEST_PACKAGES[@]}): ${TEST_PACKAGES[*]}"
    exit 0
    ;;
  *) echo "install-deps: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
