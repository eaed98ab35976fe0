#!/usr/bin/env bash
# numa-vm itself: bad usage exits 2 before booting anything; in one small guest, COMMAND runs
# as root with the project's binaries on PATH, --add files under /add/, /out/ comes back to the
# host, and numa-vm exits with COMMAND's own status (here 42, and 200: above the 127 that the
# isa-debug-exit port can carry, so it comes from the console line); a stalled /out transfer is
# caught and retried once.
set -uo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"
out=$(mktemp -d "${TMPDIR:-/tmp}/vm-harness.XXXXXX")
trap 'rm -rf "$out"' EXIT
usage_err=$out/usage.err

small=(--nodes 1 --cpus-per-node 1 --mem-per-node 256)
check "usage: no --nodes exits 2" usage_exit --cpus-per-node 1 --mem-per-node 256 -- true
check "usage: no COMMAND exits 2" usage_exit "${small[@]}"
check "usage: --autonuma maybe exits 2" usage_exit "${small[@]}" --autonuma maybe -- true
check "usage: --distance to self exits 2" usage_exit --nodes 2 --cpus-per-node 1 --mem-per-node 256 --distance 1,1,10 -- true
check "usage: --distance to a missing node exits 2" usage_exit --nodes 2 --cpus-per-node 1 --mem-per-node 256 --distance 0,2,20 -- true
check "usage: --add of a missing file exits 2" usage_exit "${small[@]}" --add "$out/missing" -- true

head -c 3000 /dev/urandom | base64 >"$out/payload.txt"
vm_boot "$out/guest" "${small[@]}" --add "$out/payload.txt" -- sh -c '
  cp /add/payload.txt /out/payload.txt
  command -v aurora-numa-monitor >/out/monitor_path
  command -v aurora-numa-workload >/out/workload_path
  id -u >/out/uid
  exit 42'
status=$?
check "COMMAND's exit status 42 comes back" test "$status" -eq 42
check "--add file arrives under /add and /out comes back byte-exact" cmp "$out/payload.txt" "$out/guest/payload.txt"
check "aurora-numa-monitor on PATH" grep -qx /aurora/bin/aurora-numa-monitor "$out/guest/monitor_path"
check "aurora-numa-workload on PATH" grep -qx /aurora/bin/aurora-numa-workload "$out/guest/workload_path"
check "COMMAND runs as root" grep -qx 0 "$out/guest/uid"
check "guest wall time printed" grep -q 'numa-vm: guest wall time [0-9.]* s (boot to /init [0-9.]* s)' "$out/guest/console.log"

vm_boot "$out/guest200" "${small[@]}" -- sh -c 'exit 200'
status=$?
check "exit status 200 comes back exactly" test "$status" -eq 200

# A guest whose /out transfer stops (as when the UART's interrupt is lost) is killed soon after
# COMMAND is done, not at --timeout, and booted once more; here it stalls both times, on purpose:
# COMMAND announces itself done and then sends nothing.
started=$SECONDS
AURORA_VM_TRANSFER_STALL=3 vm_boot "$out/stall" "${small[@]}" --timeout 200 -- sh -c '
  . /run/aurora-vm/config
  echo "aurora-vm:$AURORA_VM_TOKEN: command-done 0" >/dev/console
  sleep 300'
status=$?
check "stalled /out transfer: exits 125 without a verdict" test "$status" -eq 125
check "stalled /out transfer: booted again once" grep -q "sending /out stalled at 0 bytes for 3 s.*running COMMAND again" "$out/stall/console.log"
check "stalled /out transfer: gives up the second time" grep -q "stalled at 0 bytes for 3 s.*twice" "$out/stall/console.log"
check "stalled /out transfer: detected long before --timeout" test $((SECONDS - started)) -lt 100
finish
