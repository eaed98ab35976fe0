#!/usr/bin/env bash
# The control for test_two_node.sh: the same misplaced workload with AutoNUMA off keeps its
# pages on node 0 (so the migration seen there is AutoNUMA's doing, not the workload's).
set -uo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"
out=$(mktemp -d "${TMPDIR:-/tmp}/vm-two-node-off.XXXXXX")
trap 'rm -rf "$out"' EXIT

topology=(--nodes 2 --cpus-per-node 2 --mem-per-node 512)
vm_boot "$out" "${topology[@]}" --autonuma off --add "$vm_dir/guest" -- sh -c '
  cat /proc/sys/kernel/numa_balancing >/out/numa_balancing
  aurora-numa-workload --mem-mib 64 --mem-node 0 --cpu-node 1 --threads 2 --no-hugepage \
    --seconds 6 --report-interval 0.5 >/out/control.jsonl
  echo $? >/out/control.rc'
status=$?
check "guest command ran (status $status)" test "$status" -eq 0
check "--autonuma off: kernel.numa_balancing=0" grep -qx 0 "$out/numa_balancing"
check "workload exits 0" grep -qx 0 "$out/control.rc"
check "without AutoNUMA every census keeps >= 99% of pages on node 0" "$vm_python" "$vm_dir/check_workload.py" "$out/control.jsonl" stays --node 0 --share 0.99
finish
