#!/usr/bin/env bash
# README command 2: install what is missing (the build's packages and the test
# tools), build with warnings as errors, and run the whole test suite (unit +
# end to end, real server over loopback).
#   scripts/test.sh                          the normal build, in build/
#   scripts/test.sh --sanitize address,undefined   ASan+UBSan, in build-address-undefined/
#   scripts/test.sh --sanitize thread -R 'conformance_threads'   TSan, a subset
# Arguments after the sanitizer list go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
sanitize=""
if [[ "${1:-}" == "--sanitize" ]]; then
  sanitize=${2:?"--sanitize needs a list, e.g. address,undefined"}
  shift 2
fi

scripts/install-deps.sh
if [[ -n "$sanitize" ]]; then
  build_dir="build-${sanitize//,/-}"
  # -O1 -g1: a sanitizer's report needs line tables, not variables, and the
  # build compiles in half the time of -O2 -g (the suite's runtime is I/O-bound).
  flags="-O1 -g1 -DNDEBUG"
  scripts/build.sh "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONCUR_WERROR=ON \
    "-DCONCUR_SANITIZE=$sanitize" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$flags" \
    "-DCMAKE_C_FLAGS_RELWITHDEBINFO=$flags"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
else
  # Shared with quickstart.sh, configured the same way: what it built is not rebuilt.
  build_dir=build
  scripts/build.sh "$build_dir" -DCONCUR_WERROR=ON
fi
cd "$build_dir"
# A test that cannot run here (network namespaces not permitted, say) exits 77 and
# ctest counts it as skipped, not failed and not passed; the summary below names
# each one with its reason (its SKIPPED: line), from ctest's JUnit file.
junit=$PWD/ctest-junit.xml
rm -f "$junit"
rc=0
ctest --output-on-failure -j "${CONCUR_JOBS:-2}" --output-junit "$junit" "$@" || rc=$?
if [[ -s $junit ]]; then
  /usr/bin/python3 - "$junit" <<'EOF' || true
import sys
import xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot()
skipped = []
for case in suite.iter("testcase"):
    if case.find("skipped") is not None:
        lines = (case.findtext("system-out") or "").splitlines()
        why = next((ln[len("SKIPPED:"):].strip() for ln in lines if ln.startswith("SKIPPED:")),
                   "no reason given")
        skipped.append((case.get("name"), why))
total, failed = int(suite.get("tests", 0)), int(suite.get("failures", 0))
note = " (could not run here: not passed)" if skipped else ""
print(f"test.sh: {total} tests: {total - failed - len(skipped)} passed, {failed} failed, "
      f"{len(skipped)} skipped{note}")
for name, why in skipped:
    print(f"  skipped {name}: {why}")
EOF
fi
exit "$rc"
