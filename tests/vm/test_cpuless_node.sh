#!/usr/bin/env bash
# A CPU-less memory node (node 2): it shows up with memory and no CPUs; memory can be placed
# there; threads cannot run there and the workload says so (exit 2) instead of crashing.
set -uo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"
out=$(mktemp -d "${TMPDIR:-/tmp}/vm-cpuless.XXXXXX")
trap 'rm -rf "$out"' EXIT

topology=(--nodes 2 --cpus-per-node 1 --mem-per-node 256 --cpuless-node 384
  --distance 0,2,17 --distance 1,2,28)
vm_boot "$out" "${topology[@]}" --autonuma off --add "$vm_dir/guest" -- sh -c '
  sh /add/guest/node-dump.sh >/out/nodes.txt
  aurora-numa-workload --mem-mib 16 --mem-node 2 --cpu-node 0 --seconds 1 --report-interval 0.5 \
    --no-hugepage >/out/on_cpuless.jsonl
  echo $? >/out/on_cpuless.rc
  aurora-numa-workload --mem-mib 16 --mem-node 0 --cpu-node 2 --seconds 1 2>/out/threads_on_cpuless.err
  echo $? >/out/threads_on_cpuless.rc'
status=$?
check "guest command ran (status $status)" test "$status" -eq 0
check "topology: 2 CPU nodes + CPU-less node 2" "$vm_python" "$vm_dir/check_topology.py" "$out/nodes.txt" "${topology[@]}"
check "memory placed on the CPU-less node: workload exits 0" grep -qx 0 "$out/on_cpuless.rc"
check "memory placed on the CPU-less node stays there" "$vm_python" "$vm_dir/check_workload.py" "$out/on_cpuless.jsonl" stays --node 2 --share 0.99
check "threads on the CPU-less node: exit 2" grep -qx 2 "$out/threads_on_cpuless.rc"
check "threads on the CPU-less node: one clear line" grep -qx 'aurora-numa-workload: node 2 has no CPUs.*pick a node with CPUs' "$out/threads_on_cpuless.err"
finish
