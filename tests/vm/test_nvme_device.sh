#!/usr/bin/env bash
# --nvme-node: a real NVMe disk whose firmware-reported node is node 1, the ground truth for "IO
# goes near its device's node". In the guest, /sys/block/nvme0n1 resolves to a PCI function whose
# numa_node is 1 (and whose local CPUs are node 1's), and the disk really does IO: a direct read,
# and a write read back byte-exact. Bad --nvme-node values exit 2 before booting anything.
set -uo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"
out=$(mktemp -d "${TMPDIR:-/tmp}/vm-nvme.XXXXXX")
trap 'rm -rf "$out"' EXIT
usage_err=$out/usage.err

topology=(--nodes 2 --cpus-per-node 1 --mem-per-node 256)
check_node_option_refused --nvme-node

# The PCI function above the block device (guest/pci-function.sh); the nvme class device
# between them has a numa_node file too.
vm_boot "$out/guest" "${topology[@]}" --nvme-node 1 --add "$vm_dir/guest" -- sh -c '
  test -e /sys/block/nvme0n1; echo $? >/out/sys_block.rc
  dev=$(readlink -f "/sys/dev/block/$(cat /sys/block/nvme0n1/dev)")
  echo "$dev" >/out/block_device
  sh /add/guest/pci-function.sh "$dev"
  # Without the device, dd would make /dev/nvme0n1 a plain file on devtmpfs and read that back.
  if [ ! -b /dev/nvme0n1 ]; then
    echo "no block device /dev/nvme0n1" | tee /out/dd.err >/out/write.err
    echo 1 >/out/dd.rc; echo none >/out/dd.mode; echo 1 >/out/readback.rc
    exit 0
  fi
  if dd if=/dev/nvme0n1 of=/dev/null bs=4096 count=256 iflag=direct 2>/out/dd.err; then
    echo 0 >/out/dd.rc; echo direct >/out/dd.mode
  else
    # A busybox without iflag=direct: a plain read still reads the device.
    dd if=/dev/nvme0n1 of=/dev/null bs=4096 count=256 2>/out/dd.err; echo $? >/out/dd.rc; echo plain >/out/dd.mode
  fi
  head -c 1048576 /dev/urandom >/tmp/pattern
  dd if=/tmp/pattern of=/dev/nvme0n1 bs=4096 seek=1024 conv=fsync 2>/out/write.err
  echo 3 >/proc/sys/vm/drop_caches
  dd if=/dev/nvme0n1 of=/tmp/readback bs=4096 skip=1024 count=256 iflag=direct 2>>/out/write.err ||
    dd if=/dev/nvme0n1 of=/tmp/readback bs=4096 skip=1024 count=256 2>>/out/write.err
  cmp /tmp/pattern /tmp/readback >>/out/write.err 2>&1; echo $? >/out/readback.rc'
status=$?
check "guest command ran (status $status)" test "$status" -eq 0
check "guest loaded the NVMe modules and saw /dev/nvme0n1" grep -q 'aurora-vm: nvme: /dev/nvme0n1 ready' "$out/guest/console.log"
check "/sys/block/nvme0n1 exists" grep -qx 0 "$out/guest/sys_block.rc"
check "nvme0n1 resolves to a PCI function ($(cat "$out/guest/pci_function" 2>/dev/null))" \
  grep -qE '/[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$' "$out/guest/pci_function"
check "its PCI function's numa_node is 1 (reads $(cat "$out/guest/pci_numa_node" 2>/dev/null))" grep -qx 1 "$out/guest/pci_numa_node"
check "its local CPUs are node 1's ($(cat "$out/guest/pci_local_cpulist" 2>/dev/null))" \
  cmp -s "$out/guest/node1_cpulist" "$out/guest/pci_local_cpulist"
check "dd reads 1 MiB from /dev/nvme0n1 ($(cat "$out/guest/dd.mode" 2>/dev/null))" grep -qx 0 "$out/guest/dd.rc"
check "dd read 256 full blocks" grep -qx '256+0 records in' "$out/guest/dd.err"
check "1 MiB written to the disk reads back byte-exact" grep -qx 0 "$out/guest/readback.rc"
finish
