#!/usr/bin/env bash
# Two nodes, AutoNUMA on, one boot: the topology the guest sees, the BPF attach points the
# monitor finds (fentry/task_numa_fault works in the guest), the harness's scan tuning, and
# AutoNUMA for real: 64 MiB first-touched on node 0, used from node 1, ends on node 1.
set -uo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"
out=$(mktemp -d "${TMPDIR:-/tmp}/vm-two-node.XXXXXX")
trap 'rm -rf "$out"' EXIT

topology=(--nodes 2 --cpus-per-node 2 --mem-per-node 512)
vm_boot "$out" "${topology[@]}" --autonuma on --add "$vm_dir/guest" -- sh -c '
  sh /add/guest/node-dump.sh >/out/nodes.txt
  cat /proc/sys/kernel/numa_balancing >/out/numa_balancing
  cat /sys/kernel/debug/sched/numa_balancing/scan_delay_ms \
      /sys/kernel/debug/sched/numa_balancing/scan_period_min_ms \
      /sys/kernel/debug/sched/numa_balancing/scan_period_max_ms >/out/scan_tuning
  aurora-numa-monitor probes --json >/out/probes.json; echo $? >/out/probes.rc
  aurora-numa-workload --mem-mib 64 --mem-node 0 --cpu-node 1 --threads 2 --no-hugepage \
    --seconds 60 --report-interval 0.5 --stop-when-share 1:0.99 >/out/autonuma.jsonl
  echo $? >/out/autonuma.rc'
status=$?
check "guest command ran (status $status)" test "$status" -eq 0
check "topology: 2 nodes x 2 CPUs x 512 MiB" "$vm_python" "$vm_dir/check_topology.py" "$out/nodes.txt" "${topology[@]}"
check "--autonuma on: kernel.numa_balancing=1" grep -qx 1 "$out/numa_balancing"
check "--autonuma on: scan tuning 100/100/1000 ms" diff <(printf '100\n100\n1000\n') "$out/scan_tuning"
check "probes --json exits 0" grep -qx 0 "$out/probes.rc"
check "fentry/task_numa_fault active in the guest" "$vm_python" "$vm_dir/check_probes.py" "$out/probes.json" fentry/task_numa_fault
check "workload exits 0" grep -qx 0 "$out/autonuma.rc"
check "workload starts with >= 99% of pages on node 0" "$vm_python" "$vm_dir/check_workload.py" "$out/autonuma.jsonl" starts --node 0 --share 0.99
check "AutoNUMA moves >= 99% of pages to node 1" "$vm_python" "$vm_dir/check_workload.py" "$out/autonuma.jsonl" converges --node 1 --share 0.99
finish
