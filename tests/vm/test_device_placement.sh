#!/usr/bin/env bash
# IO-bound work goes near its device's node, for real: in a 2-node guest whose device sits on
# node 1, an IO-bound process is started on node 0's CPUs; `aurora-numa-monitor run --apply`
# resolves the device behind its open file to node 1 (the PCI function's numa_node), classifies
# it IO-bound and moves it there; `revert` gives its mask back.
#   test_device_placement.sh disk      a `dd` reading an NVMe disk (numa-vm --nvme-node 1)
#   test_device_placement.sh network   an `nc` streaming through a NIC (numa-vm --nic-node 1); its
#                                      socket's peer is routed by the NIC's interface
# The guest side is tests/vm/guest/device-placement.sh.
set -uo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"
kind=$1
case "$kind" in
  disk) device=(--nvme-node 1) comm=dd ;;
  network) device=(--nic-node 1) comm=nc ;;
  *) echo "usage: test_device_placement.sh disk|network" >&2; exit 2 ;;
esac
out=$(mktemp -d "${TMPDIR:-/tmp}/vm-device.XXXXXX")
trap 'rm -rf "$out"' EXIT

vm_boot "$out/guest" --nodes 2 --cpus-per-node 2 --mem-per-node 512 "${device[@]}" --timeout 300 \
  --add "$vm_dir/guest" -- sh /add/guest/device-placement.sh "$kind"
status=$?
check "guest command ran (status $status)" test "$status" -eq 0
g=$out/guest
check "the IO process is $comm ($(cat "$g/io.comm" 2>/dev/null))" grep -qx "$comm" "$g/io.comm"
check "$comm started on node 0's CPUs (allowed $(cat "$g/affinity-start" 2>/dev/null))" grep -qx '0-1' "$g/affinity-start"
check "the coordinator exits 0" grep -qx 0 "$g/run.rc"
check "the decision moves it near its device: $(grep -m1 '^recommend:' "$g/run.log")" \
  grep -q "^recommend: pid [0-9]* ($comm): move .* to node 1 (near its device)" "$g/run.log"
check "its evidence names the device's node" grep -q 'device: the devices behind its open files and sockets are on node 1' "$g/run.log"
check "its evidence classifies it io-bound" grep -q 'class: .* -> io-bound' "$g/run.log"
check "it was applied (journal: affinity done)" grep -q '"kind":"affinity".*"phase":"done"' "$g/journal.jsonl"
check "$comm is allowed node 1's CPUs only (allowed $(cat "$g/affinity-applied" 2>/dev/null))" grep -qx '2-3' "$g/affinity-applied"
check "$comm ran on node 1's CPUs after the move (ran on $(cat "$g/ran-on-applied" 2>/dev/null))" \
  grep -qE '^([23] )+$' "$g/ran-on-applied"
check "revert exits 0" grep -qx 0 "$g/revert.rc"
check "revert gives $comm its mask back (allowed $(cat "$g/affinity-reverted" 2>/dev/null))" grep -qx '0-1' "$g/affinity-reverted"
check "$comm did its IO throughout (no error, still running)" grep -qx running "$g/io.state"
echo "---- the decision"
sed -n '/^recommend:/,/^-- /p' "$g/run.log" | head -14
if ((vm_failures > 0)); then
  echo "---- run.log"
  grep -v '^left:' "$g/run.log" | head -40
  echo "---- io.err"
  cat "$g/io.err"
fi
finish
