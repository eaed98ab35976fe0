#!/usr/bin/env bash
# The two entry points of the README:
#   ./dev.sh run [ARGS...]  install what is missing, build, run aurora-numa-monitor (default: `top`, the
#                           live dashboard; any ARGS are passed to aurora-numa-monitor instead)
#   ./dev.sh test           install what is missing, build, run every test layer
#                           (unit under ASan+UBSan, then unit + root + vm in the normal build)
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

jobs=$(nproc)
# ccache (when installed) keys on paths relative to the checkout, so a fresh clone in another
# folder reuses what an earlier build of the same sources compiled.
export CCACHE_BASEDIR=$PWD

# build DIR TARGET [CMAKE ARGS...]
build() {
  local dir=$1 target=$2
  shift 2
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAURORA_WERROR=ON "$@" >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log" >&2; exit 1; }
  local status=0
  cmake --build "$dir" --target "$target" -j "$jobs" >"$dir.build.log" 2>&1 || status=$?
  # Progress lines are noise; warnings and errors are not.
  grep -vE '^\[ *[0-9]+%\]|^(Consolidate|Scanning|Built target|-- )' "$dir.build.log" || true
  [[ $status -eq 0 ]] || { echo "dev.sh: build in $dir failed (log: $dir.build.log)" >&2; exit 1; }
}

command=${1:-}
shift || true
case "$command" in
  run)
    scripts/setup-deps.sh
    build build all
    if [[ $# -eq 0 ]]; then set -- top; fi
    exec build/bin/aurora-numa-monitor "$@"
    ;;
  test)
    scripts/setup-deps.sh
    echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)"
    build build-asan aurora_unit_tests -DAURORA_SANITIZE=ON
    (cd build-asan && ctest -L unit --output-on-failure -j "$jobs")
    echo "== all layers: unit, root, vm (build/)"
    build build all
    cd build
    ctest -L unit --output-on-failure -j "$jobs"
    ctest -LE unit --output-on-failure
    ;;
  *)
    echo "usage: ./dev.sh run [aurora-numa-monitor ARGS...] | ./dev.sh test" >&2
    exit 2
    ;;
esac
