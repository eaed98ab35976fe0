#!/usr/bin/env bash
# --nic-node: a real network interface whose firmware-reported node is node 1, the ground truth
# for "network work goes near its NIC's node". In the guest, the interface /init brought up
# (/run/aurora-vm/nic) resolves to a PCI function whose numa_node is 1 (and whose local CPUs are
# node 1's), has the user-mode network's 10.0.2.15, and traffic leaves through it: 20 TFTP read
# requests (UDP) to the gateway 10.0.2.2 raise its tx_packets by at least 20, and QEMU's slirp
# answers each one (rx_packets rises as much). Bad --nic-node values exit 2 before booting anything.
set -uo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"
out=$(mktemp -d "${TMPDIR:-/tmp}/vm-nic.XXXXXX")
trap 'rm -rf "$out"' EXIT
usage_err=$out/usage.err

topology=(--nodes 2 --cpus-per-node 1 --mem-per-node 256)
check_node_option_refused --nic-node

# busybox nc has no -u here; busybox tftp sends one UDP read request per run, and slirp (no
# tftp= directory given) answers each with a TFTP error at once, so every run is one datagram
# out and one in. The PCI function is found above the interface's device (the virtio device)
# by guest/pci-function.sh.
vm_boot "$out/guest" "${topology[@]}" --nic-node 1 --add "$vm_dir/guest" -- sh -c '
  nic=$(cat /run/aurora-vm/nic 2>/dev/null)
  echo "$nic" >/out/ifname
  test -n "$nic" && test -e "/sys/class/net/$nic"; echo $? >/out/sys_class_net.rc
  dev=$(readlink -f "/sys/class/net/$nic/device")
  echo "$dev" >/out/net_device
  sh /add/guest/pci-function.sh "$dev"
  cat "/sys/class/net/$nic/flags" >/out/flags
  ip -o -4 addr show dev "$nic" >/out/addr 2>&1
  ip route >/out/route 2>&1
  [ -n "$nic" ] || exit 0
  stats=/sys/class/net/$nic/statistics
  cat $stats/tx_packets >/out/tx_before; cat $stats/rx_packets >/out/rx_before
  i=0
  while [ $i -lt 20 ]; do
    timeout 5 tftp -g -r aurora-nic-probe -l /tmp/tftp.out 10.0.2.2 >>/out/tftp.log 2>&1
    i=$((i + 1))
  done
  echo $i >/out/sent
  # virtio-net counts a packet when the device has taken it: poll a little for the last ones.
  tries=0
  while [ $(cat $stats/tx_packets) -lt $(($(cat /out/tx_before) + i)) ] && [ $tries -lt 50 ]; do
    sleep 0.1; tries=$((tries + 1))
  done
  cat $stats/tx_packets >/out/tx_after; cat $stats/rx_packets >/out/rx_after
  # /init waited for operstate "up"; it must still be up once the traffic is through.
  cat "/sys/class/net/$nic/operstate" >/out/operstate'
status=$?
read_n() { cat "$out/guest/$1" 2>/dev/null || echo 0; }
tx_delta=$(($(read_n tx_after) - $(read_n tx_before)))
rx_delta=$(($(read_n rx_after) - $(read_n rx_before)))
nic=$(cat "$out/guest/ifname" 2>/dev/null)
check "guest command ran (status $status)" test "$status" -eq 0
check "guest loaded the virtio-net modules and brought '$nic' up" grep -q "aurora-vm: nic: $nic up 10.0.2.15" "$out/guest/console.log"
check "/sys/class/net/$nic exists" grep -qx 0 "$out/guest/sys_class_net.rc"
check "$nic resolves to a PCI function ($(cat "$out/guest/pci_function" 2>/dev/null))" \
  grep -qE '/[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$' "$out/guest/pci_function"
check "its PCI function's numa_node is 1 (reads $(cat "$out/guest/pci_numa_node" 2>/dev/null))" grep -qx 1 "$out/guest/pci_numa_node"
check "its local CPUs are node 1's ($(cat "$out/guest/pci_local_cpulist" 2>/dev/null))" \
  cmp -s "$out/guest/node1_cpulist" "$out/guest/pci_local_cpulist"
check "$nic is administratively up (flags $(cat "$out/guest/flags" 2>/dev/null))" \
  test $(($(cat "$out/guest/flags" 2>/dev/null || echo 0) & 1)) -eq 1
check "$nic's operstate is up after the traffic ($(cat "$out/guest/operstate" 2>/dev/null))" grep -qx up "$out/guest/operstate"
check "$nic has 10.0.2.15/24" grep -q 'inet 10\.0\.2\.15/24' "$out/guest/addr"
check "the default route goes via 10.0.2.2 on $nic" grep -q "^default via 10\.0\.2\.2 dev $nic" "$out/guest/route"
check "$(read_n sent) UDP datagrams to 10.0.2.2 raised tx_packets by $tx_delta" \
  test "$(read_n sent)" -ge 20 -a "$tx_delta" -ge "$(read_n sent)"
answers=$(grep -c 'server error' "$out/guest/tftp.log" 2>/dev/null)
check "slirp answered every request ($answers TFTP errors back) and rx_packets rose by $rx_delta" \
  test "${answers:-0}" -ge "$(read_n sent)" -a "$rx_delta" -ge "$(read_n sent)"
finish
