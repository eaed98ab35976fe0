#!/usr/bin/env bash
# The coordinator scenario suite run REPEATS times (tests/vm/test_coordinator_scenario.sh, one
# 2-node guest per scenario and run, each scenario's three modes in one boot), then the medians
# and how many runs met each goal (bench/coordinator_suite_summary.py). One run is what CI
# does; it moves by a second or more of remote time under TCG, so the goals are judged on
# medians here, each run's comparison made within one boot.
#
#   bench/coordinator_suite.sh [BUILD_DIR] [REPEATS] [SCENARIO...]
# Defaults: build 3, every scenario. Runs are interleaved (run 1 of every scenario, then run 2,
# ...) so a change in the host's load falls on all scenarios alike. About 100 s a scenario and
# run on the 2-core development host. Results: BUILD_DIR/vm-results/suite-repeats/run-K/
# (SCENARIO.json, the guest's files, the test's log) and summary.md.
# Exit 77: no qemu or guest kernel (numa-vm says why).
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build}
repeats=${2:-3}
shift $(($# < 2 ? $# : 2))
scenarios=("$@")
if ((${#scenarios[@]} == 0)); then
  read -r -a scenarios < <(/usr/bin/python3 -c \
    "import sys; sys.path.insert(0, '$repo/tests/vm'); from coordinator_table import SCENARIOS; print(*SCENARIOS)")
fi
[[ -x $build/bin/aurora-numa-monitor && -x $build/bin/aurora-numa-workload ]] || {
  echo "coordinator_suite: build $build first (cmake --build $build)" >&2
  exit 2
}
[[ $repeats =~ ^[1-9][0-9]*$ ]] || { echo "coordinator_suite: REPEATS must be a positive count, not '$repeats'" >&2; exit 2; }
base=$build/vm-results/suite-repeats
rm -rf "$base"
for ((run = 1; run <= repeats; run++)); do
  for scenario in "${scenarios[@]}"; do
    dir=$base/run-$run
    mkdir -p "$dir"
    started=$SECONDS
    AURORA_VM_BIN_DIR=$build/bin AURORA_VM_RESULTS_DIR=$dir \
      bash "$repo/tests/vm/test_coordinator_scenario.sh" "$scenario" >"$dir/$scenario.log" 2>&1
    status=$?
    [[ $status -eq 77 ]] && { tail -3 "$dir/$scenario.log" >&2; exit 77; }
    echo "run $run/$repeats $scenario: exit $status, $((SECONDS - started)) s; $(grep -h '^GOAL' "$dir/$scenario.log" | tr '\n' ' ')"
  done
done
runs=()
for ((run = 1; run <= repeats; run++)); do runs+=("$base/run-$run/coordinator"); done
exec /usr/bin/python3 "$repo/bench/coordinator_suite_summary.py" --markdown "$base/summary.md" "${runs[@]}"
