#!/usr/bin/env bash
# One scenario of the coordinator suite (issue: real-kernel proof; docs/performance.md), one
# boot of a 2-node guest (2 CPUs, 512 MiB a node), run three ways: aurora `run --apply` with
# AutoNUMA off, AutoNUMA on (kernel defaults) alone, both. Remote share is sampled every ~0.5 s
# from numa_maps against where the threads ran (tests/vm/guest/locality-sampler.sh).
#   test_coordinator_scenario.sh SCENARIO
# Leaves the measures in $AURORA_VM_RESULTS_DIR/coordinator/SCENARIO.json for
# test_coordinator_suite.sh (the table and the suite-wide goal), and what the guest wrote in
# $AURORA_VM_RESULTS_DIR/coordinator/SCENARIO/.
set -uo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"
scenario=$1
results="${AURORA_VM_RESULTS_DIR:-$vm_dir/../../build/vm-results}/coordinator"
# The guest's files stay for a look after the run: samples, journals, the coordinator's log.
out="$results/$scenario"
rm -rf "$out" "$results/$scenario.json"
mkdir -p "$out"

vm_boot "$out" --nodes 2 --cpus-per-node 2 --mem-per-node 512 --autonuma on --timeout 420 \
  --add "$vm_dir/guest" -- sh /add/guest/coordinator-scenario.sh "$scenario"
status=$?
check "guest command ran (status $status)" test "$status" -eq 0
for mode in aurora autonuma both; do
  for rc in "$out/$mode"/workload-*.rc; do
    check "$mode: $(basename "$rc" .rc) exits 0" grep -qx 0 "$rc"
  done
done
for mode in aurora both; do
  check "$mode: coordinator exits 0" grep -qx 0 "$out/$mode/run.rc"
done
check "measures written" "$vm_python" "$vm_dir/check_scenario.py" "$out" measure --json "$results/$scenario.json"
# The issue's goals are measured and reported, not asserted: TCG timing moves the figures
# between runs by more than the margins (docs/performance.md has the table and the spread).
# Noise floor: one ~0.5 s sample at 30% remote, e.g. a thread caught mid-move by the sampler.
goal "aurora's integrated remote share is at most AutoNUMA's" "$vm_python" "$vm_dir/check_scenario.py" "$out" beats-autonuma --slack 0.15
check "aurora: page migration measured at start" grep -q "page migration measured at [0-9]* MiB/s at start-up" "$out/aurora/run.log"
# /proc/PID/task/*/children lists the monitor's live children: none once a probe returned.
no_children() { [ -f "$1" ] && ! grep -q '[0-9]' "$1"; }
for mode in aurora both; do
  check "$mode: the probe's child is gone after the start-up probe" no_children "$out/$mode/children-after-probe"
  check "$mode: no child of the coordinator left at the window's end" no_children "$out/$mode/children-at-end"
done
# A memory move is costed at a rate measured again, under the load it runs under, before it;
# or the log says that cycle's decisions were the same at the slowest rate seen under load
# (`not measured again before the first memory move: ... the same at 25% of ...`).
first_memory_move() { grep -n "moving its memory" "$1" | head -1 | cut -d: -f1; }
remeasured_before_it() {
  local log=$1 moved measured
  moved=$(first_memory_move "$log")
  [ -z "$moved" ] && return 0
  measured=$(grep -n "page migration \(measured at [0-9]* MiB/s\|not measured\) again before the first memory move" "$log" | head -1 | cut -d: -f1)
  [ -n "$measured" ] && [ "$measured" -lt "$moved" ]
}
check "aurora: a memory move follows a measurement under load, or the line saying it could not change it" \
  remeasured_before_it "$out/aurora/run.log"
check "aurora acted on the misplacement" "$vm_python" "$vm_dir/check_scenario.py" "$out" acted aurora
check "both on: no ping-pong" "$vm_python" "$vm_dir/check_scenario.py" "$out" no-pingpong both
for mode in aurora both; do
  check "$mode: revert restores every thread's affinity" "$vm_python" "$vm_dir/check_scenario.py" "$out" reverted "$mode"
done
case "$scenario" in
  misplaced)
    goal "aurora reaches 95% local before AutoNUMA, migrating no more pages" \
      "$vm_python" "$vm_dir/check_scenario.py" "$out" converges-faster ;;
  crosswise)
    # A swap in one cycle when neither node has room, or one move after the other when the
    # first process finds room before the second's threads run there: no memory moves either way.
    check "aurora: each process's threads went to its memory, no memory moved" \
      "$vm_python" "$vm_dir/check_scenario.py" "$out" swapped aurora ;;
esac
if ((vm_failures > 0)); then
  for mode in aurora both; do
    echo "---- $mode/run.log"
    grep -v '^left:' "$out/$mode/run.log" | head -60
  done
fi
finish
