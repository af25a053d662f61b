#!/usr/bin/env bash
# The plugin SDK as a plugin author meets it, from an installed concur:
#   1. plugins/template built out of tree (find_package(concur) +
#      concur_add_plugin), then held to the conformance suite;
#   2. `concur new-plugin foo`, built the way it prints, found with
#      --plugin-path and run by `concur run` with `plugin: foo`.
#   tests/sdk/out_of_tree.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/concur-sdk.XXXXXX")
trap 'rm -rf "$work"' EXIT
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)

step() { echo "sdk: $*"; }
quiet() { # quiet LOG CMD...: the command's output only when it fails
  local log=$1
  shift
  "$@" >"$log" 2>&1 || { cat "$log"; echo "sdk: failed: $*"; exit 1; }
}

step "install into $work/prefix"
quiet "$work/install.log" cmake --install "$build" --prefix "$work/prefix"
concur=$work/prefix/bin/concur
[[ -f $work/prefix/include/concur/plugin.h ]]
[[ -f $work/prefix/lib/cmake/concur/concurConfig.cmake ]]

step "plugins/template out of tree, against the installed package"
quiet "$work/template.cfg" cmake -S "$src/plugins/template" -B "$work/template" "${gen[@]}" \
  -DCMAKE_PREFIX_PATH="$work/prefix"
quiet "$work/template.build" cmake --build "$work/template"
step "the conformance suite on it"
CONCUR_CONFORMANCE_PLUGIN=$work/template/template.so "$build/plugin_conformance"

step "concur new-plugin foo"
"$concur" new-plugin foo --dir "$work/foo" | tee "$work/new-plugin.out"
# Build it with the very command new-plugin printed (it names the package).
configure=$(grep -E '^  cmake -S ' "$work/new-plugin.out" | sed 's/^  //')
[[ $configure == *"-DCMAKE_PREFIX_PATH=$work/prefix"* ]] ||
  { echo "sdk: new-plugin printed '$configure', not the install prefix"; exit 1; }
quiet "$work/foo.cfg" bash -c "$configure ${gen[*]}"
quiet "$work/foo.build" cmake --build "$work/foo/build"

step "found with --plugin-path, and run"
"$concur" --plugin-path "$work/foo/build" plugins --describe foo | tee "$work/plugins.out"
grep -q '(from --plugin-path)' "$work/plugins.out"
cat >"$work/foo.yaml" <<'YAML'
name: sdk
server: {seed: 3, pages: 60, extra_edges: 100, delay_scale: 0.002, cpu_iterations: 200, core_iterations: 50}
strategies:
  - plugin: foo
    report_every: 20
YAML
"$concur" run -q "$work/foo.yaml" --plugin-path "$work/foo/build" --out "$work/foo.csv"
grep -q '^sdk,foo,report_every=20,1,1,ok,ok,1.0000,0,60,' "$work/foo.csv" ||
  { cat "$work/foo.csv"; echo "sdk: no ok row for foo with all 60 pages"; exit 1; }
step "ok"
