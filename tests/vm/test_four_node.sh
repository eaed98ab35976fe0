#!/usr/bin/env bash
# Four nodes with asymmetric distances: the guest's SLIT, CPUs and memory match what numa-vm
# was told. With AutoNUMA on, a workload whose memory starts on node 0 and whose thread runs on
# node 1 gets its pages moved to node 1; after its phase change (the thread moves to node 3)
# they follow it to node 3.
set -uo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"
out=$(mktemp -d "${TMPDIR:-/tmp}/vm-four-node.XXXXXX")
trap 'rm -rf "$out"' EXIT

topology=(--nodes 4 --cpus-per-node 1 --mem-per-node 256
  --distance 0,1,15 --distance 0,2,25 --distance 0,3,30
  --distance 1,2,21 --distance 1,3,35 --distance 2,3,12)
vm_boot "$out" "${topology[@]}" --autonuma on --add "$vm_dir/guest" -- sh -c '
  sh /add/guest/node-dump.sh >/out/nodes.txt
  aurora-numa-workload --mem-mib 32 --mem-node 0 --cpu-node 1 --phase-node 3 --threads 1 \
    --no-hugepage --phase-at 8 --seconds 40 --report-interval 0.5 --stop-when-share 3:0.99 \
    >/out/phase.jsonl
  echo $? >/out/phase.rc'
status=$?
check "guest command ran (status $status)" test "$status" -eq 0
check "topology: 4 nodes, asymmetric distances" "$vm_python" "$vm_dir/check_topology.py" "$out/nodes.txt" "${topology[@]}"
check "workload exits 0" grep -qx 0 "$out/phase.rc"
check "before the phase change >= 99% of pages move to node 1" "$vm_python" "$vm_dir/check_workload.py" "$out/phase.jsonl" converges --node 1 --share 0.99 --before-phase
check "after the phase change >= 99% of pages follow to node 3" "$vm_python" "$vm_dir/check_workload.py" "$out/phase.jsonl" converges --node 3 --share 0.99 --after-phase
finish
