#!/usr/bin/env bash
# `revert --memory` puts each migrated page back on the node it was on, in a 2-node guest: 64 MiB
# interleaved page by page over both nodes, its threads on node 1; `run --apply` moves one half
# next to the other (to node 1 where the threads run, or everything to node 0); revert must give
# back the interleaved layout, not move everything to the nodes the decision did not target
# (which, for a spread process, is not where its pages were).
set -uo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"
out=$(mktemp -d "${TMPDIR:-/tmp}/vm-revert-memory.XXXXXX")
trap 'rm -rf "$out"' EXIT

vm_boot "$out" --nodes 2 --cpus-per-node 2 --mem-per-node 512 --autonuma off --timeout 300 \
  --add "$vm_dir/guest" -- sh -c '
  aurora-numa-workload --mem-mib 64 --placement interleave --mem-node 0 --cpu-node 1 --threads 2 \
    --access shared --no-hugepage --seconds 60 >/out/workload.jsonl 2>/out/workload.err &
  workload=$!
  tries=0
  while ! grep -q "\"start\"" /out/workload.jsonl 2>/dev/null && [ "$tries" -lt 600 ]; do sleep 0.1; tries=$((tries + 1)); done
  cat /proc/$workload/numa_maps >/out/numa_maps-before
  aurora-numa-monitor --config /add/guest/coordinator-suite.toml run --apply --journal /out/journal.jsonl \
    --pid $workload --duration 10 >/out/run.log 2>&1
  echo $? >/out/run.rc
  cat /proc/$workload/numa_maps >/out/numa_maps-moved
  aurora-numa-monitor revert --all --memory --journal /out/journal.jsonl >/out/revert.log 2>&1
  echo $? >/out/revert.rc
  cat /proc/$workload/numa_maps >/out/numa_maps-reverted
  kill $workload
  wait $workload || true  # ended by the kill (143)'
status=$?
check "guest command ran (status $status)" test "$status" -eq 0
check "coordinator exits 0" grep -qx 0 "$out/run.rc"
check "revert exits 0" grep -qx 0 "$out/revert.rc"
# The workload's buffer: the one anonymous mapping of 16384 pages (64 MiB of 4 KiB pages).
share() { "$vm_python" "$vm_dir/check_numa_maps.py" "$out/numa_maps-$1" --pages 16384 "${@:2}"; }
check "before: interleaved, 45-55% of the buffer on each node" share before --node 0 --between 0.45 0.55
# Its memory to node 1 where the threads run, or threads and memory to node 0 (the same bytes,
# and which it takes depends on the CPU room the monitor leaves on node 1): either way one half
# of the buffer moved.
on_one_node() { share moved --node 0 --between 0.95 1.0 || share moved --node 1 --between 0.95 1.0; }
check "the coordinator moved half of the buffer: all of it on one node" on_one_node
check "the done record says where each moved page was" grep -q '"pages":\[\[' "$out/journal.jsonl"
check "revert moved each page back to its node" grep -q "moved back to the node each was on" "$out/revert.log"
check "reverted: interleaved again, 45-55% on each node" share reverted --node 0 --between 0.45 0.55
if ((vm_failures > 0)); then
  for f in run.log revert.log numa_maps-before numa_maps-moved numa_maps-reverted; do
    echo "---- $f"
    grep -v '^left:' "$out/$f" | head -40
  done
fi
finish
