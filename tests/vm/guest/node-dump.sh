#!/bin/sh
# Guest side (busybox): the NUMA topology the guest kernel sees, one fact per line, for
# tests/vm/check_topology.py.
cd /sys/devices/system/node || exit 1
echo "online $(cat online)"
echo "has_cpu $(cat has_cpu)"
echo "has_memory $(cat has_memory)"
for dir in node[0-9]*; do
  node=${dir#node}
  echo "node $node cpulist $(cat "$dir/cpulist")"
  echo "node $node distance $(cat "$dir/distance")"
  echo "node $node memtotal_kb $(awk '/MemTotal/ { print $4 }' "$dir/meminfo")"
done
