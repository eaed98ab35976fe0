#!/usr/bin/env bash
# A container on a pure cgroup v2 host, in a 2-node guest: its cgroup (named as Docker's
# systemd driver names it) has the cpuset controller, its 128 MiB were first-touched on node 0,
# then its cpuset was narrowed to node 1's CPUs (`docker update --cpuset-cpus`). The coordinator,
# scoped with `run --apply --container ID`, may only narrow that cpuset: its threads cannot go
# to node 0, so its memory must come to node 1 through cpuset.mems (v2 migrates a cgroup's pages
# when its mems shrink). Revert gives the cgroup its cpuset.cpus and cpuset.mems back.
set -uo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"
out=$(mktemp -d "${TMPDIR:-/tmp}/vm-container-cpuset.XXXXXX")
trap 'rm -rf "$out"' EXIT
id=3f9c2a7e4b1d8c6f0a5e9d2b7c4f1a8e6d3b0c9f2e5a8d1b4c7f0e3a6d9c2b5e

vm_boot "$out" --nodes 2 --cpus-per-node 2 --mem-per-node 512 --autonuma off --timeout 300 \
  --add "$vm_dir/guest" -- sh -c '
  id='"$id"'
  cg=/sys/fs/cgroup
  ctr=$cg/system.slice/docker-$id.scope
  echo +cpuset >$cg/cgroup.subtree_control
  mkdir -p $cg/system.slice
  echo +cpuset >$cg/system.slice/cgroup.subtree_control
  mkdir $ctr
  node0=$(cat /sys/devices/system/node/node0/cpulist)
  node1=$(cat /sys/devices/system/node/node1/cpulist)
  echo "$node0,$node1" >$ctr/cpuset.cpus
  echo 0-1 >$ctr/cpuset.mems
  # The container: a shell that joins the cgroup and becomes the workload. Memory first-touched
  # on node 0, threads wherever the scheduler puts them.
  sh -c "echo \$\$ >$ctr/cgroup.procs && exec aurora-numa-workload --mem-mib 128 --mem-node 0 --cpu-node -1 \
    --threads 2 --access shared --no-hugepage --seconds 60" >/out/workload.jsonl 2>/out/workload.err &
  workload=$!
  tries=0
  while ! grep -q "\"start\"" /out/workload.jsonl 2>/dev/null && [ "$tries" -lt 600 ]; do sleep 0.1; tries=$((tries + 1)); done
  # The runtime confines it to node 1 CPUs: its threads now run away from its memory.
  echo "$node1" >$ctr/cpuset.cpus
  cat $ctr/cpuset.cpus $ctr/cpuset.mems >/out/cpuset-before
  cat /proc/$workload/cgroup >/out/workload-cgroup
  cat /proc/$workload/numa_maps >/out/numa_maps-before
  aurora-numa-monitor --config /add/guest/coordinator-suite.toml run --apply --journal /out/journal.jsonl \
    --container "$id" --duration 12 >/out/run.log 2>&1
  echo $? >/out/run.rc
  cat $ctr/cpuset.cpus $ctr/cpuset.mems >/out/cpuset-moved
  cat /proc/$workload/numa_maps >/out/numa_maps-moved
  aurora-numa-monitor revert --all --journal /out/journal.jsonl >/out/revert.log 2>&1
  echo $? >/out/revert.rc
  cat $ctr/cpuset.cpus $ctr/cpuset.mems >/out/cpuset-reverted
  kill $workload
  wait $workload || true  # ended by the kill (143)'
status=$?
check "guest command ran (status $status)" test "$status" -eq 0
check "the workload ran in the container's cgroup" grep -q "docker-$id.scope" "$out/workload-cgroup"
check "coordinator exits 0" grep -qx 0 "$out/run.rc"
check "revert exits 0" grep -qx 0 "$out/revert.rc"
# The workload's buffer: the one anonymous mapping of 32768 pages (128 MiB of 4 KiB pages).
share() { "$vm_python" "$vm_dir/check_numa_maps.py" "$out/numa_maps-$1" --pages 32768 "${@:2}"; }
check "before: the buffer is on node 0" share before --node 0 --between 0.95 1.0
check "the decision moves its memory to node 1 through the cpuset" \
  grep -q "move [0-9]* MiB of its memory to node 1 (where it runs)" "$out/run.log"
check "its cpuset.mems is narrowed in the background" grep -q "applied: cgroup .*docker-$id.scope: narrowing cpuset.mems to node 1 in the background" "$out/run.log"
check "its cpuset was narrowed, cpuset.mems to node 1, never widened" grep -q "page migration ended: cgroup .*docker-$id.scope: cpuset.cpus [0-9,-]* cpuset.mems 1 " "$out/run.log"
# While the kernel migrates, the policy keeps its rhythm (a cycle at least every second).
cycles_kept() {
  "$vm_python" - "$out/run.log" <<'PY'
import re, sys
times = [float(m.group(1)) for m in re.finditer(r"^-- t=([0-9.]+)s: [0-9]+ recommendation", open(sys.argv[1]).read(), re.M)]
gaps = [b - a for a, b in zip(times, times[1:])]
print(f"{len(times)} cycles, longest gap {max(gaps):.1f} s")
sys.exit(0 if times and max(gaps) <= 1.5 else 1)
PY
}
check "the coordinator's cycles go on while the kernel moves the pages" cycles_kept
check "no action refused" bash -c "! grep -q 'not applied' '$out/run.log'"
check "no move outside its cpuset was recommended" bash -c "! grep -q 'move its threads to node 0' '$out/run.log'"
check "after: at least 90% of the buffer on node 1, where its threads run" share moved --node 1 --between 0.9 1.0
check "revert restored cpuset.cpus and cpuset.mems" diff "$out/cpuset-before" "$out/cpuset-reverted"
# For the record: the decision, what was applied, and the cycle after it (the cpuset.mems write
# returns once the kernel has migrated the pages).
grep -m1 -B1 -A3 '^recommend:' "$out/run.log" | grep -E '^(-- t=|recommend:)'
grep -m1 'applied: cgroup' "$out/run.log"
grep -m1 'page migration ended: cgroup' "$out/run.log"
if ((vm_failures > 0)); then
  for f in run.log revert.log cpuset-before cpuset-moved cpuset-reverted workload.err; do
    echo "---- $f"
    grep -v '^left:' "$out/$f" | head -40
  done
fi
finish
