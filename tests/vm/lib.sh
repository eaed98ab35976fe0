# shellcheck shell=bash
# Shared helpers for tests/vm/*.sh (bash). Source it, then:
#
#   vm_boot OUTDIR NUMA-VM-OPTIONS... -- COMMAND ARGS...
#       Boots a guest through tests/vm/numa-vm, runs COMMAND in it, and leaves on the host:
#       OUTDIR/console.log (everything the guest and numa-vm printed) and whatever COMMAND wrote under the
#       guest's /out/. Returns COMMAND's status; exits 77 (SKIPPED) when numa-vm skipped.
#       Several steps in one boot: vm_boot DIR ... -- sh -c 'step1 >/out/a; step2 >/out/b'
#       (busybox sh; the project's binaries are on PATH, tests/vm/guest/ is under /add/guest/
#       when passed with --add "$vm_dir/guest").
#   usage_exit OPTIONS...      true when numa-vm OPTIONS is refused as bad usage (exit 2, before
#                              booting) with a message, left in $usage_err
#   check_node_option_refused OPTION
#                              checks that numa-vm refuses OPTION (--nvme-node, --nic-node) with
#                              a node that does not exist (2 of 0..1), x or -1, naming OPTION
#   check NAME COMMAND...      runs a host-side assertion; prints PASS/FAIL NAME
#   goal NAME COMMAND...       a product goal measured on a noisy emulator: prints GOAL MET/NOT MET
#                              NAME for the record (docs/performance.md) without failing the test
#   $vm_python                 the python3 to run tests/vm/check_*.py with
#   finish                     exits 1 if any check failed, else 0
#
# Tests are real: every check reads what the guest produced.

vm_dir=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
numa_vm="$vm_dir/numa-vm"
vm_failures=0
# Host-side checks are python3 stdlib scripts. Debian's interpreter first: a version manager's
# shim in front of it on PATH (pyenv) costs seconds per call on a busy machine.
vm_python=$(command -v /usr/bin/python3 || command -v python3 || echo python3)

vm_boot() {
  local out=$1
  shift
  mkdir -p "$out"
  local status
  "$numa_vm" --out-dir "$out" "$@" 2>&1 | tee "$out/console.log"
  status=${PIPESTATUS[0]}
  if [[ $status -eq 77 ]]; then
    exit 77
  fi
  return "$status"
}

usage_exit() {
  usage_err=${usage_err:-$(mktemp "${TMPDIR:-/tmp}/vm-usage.XXXXXX")}
  "$numa_vm" "$@" >/dev/null 2>"$usage_err"
  local status=$?
  [[ $status -eq 2 && -s $usage_err ]] || { echo "exit $status for: $*"; return 1; }
}

check_node_option_refused() {
  local option=$1 value
  refused_naming() { usage_exit "$@" && grep -q -- "$option" "$usage_err"; }
  for value in 2 x -1; do
    check "usage: $option $value with nodes 0..1 exits 2" \
      refused_naming --nodes 2 --cpus-per-node 1 --mem-per-node 256 "$option" "$value" -- true
  done
}

check() {
  local name=$1
  shift
  if "$@"; then
    echo "PASS $name"
  else
    echo "FAIL $name"
    vm_failures=$((vm_failures + 1))
  fi
}

goal() {
  local name=$1
  shift
  if "$@"; then
    echo "GOAL MET $name"
  else
    echo "GOAL NOT MET $name"
  fi
}

finish() {
  if ((vm_failures > 0)); then
    echo "$vm_failures check(s) failed"
    exit 1
  fi
  echo "all checks passed"
  exit 0
}
