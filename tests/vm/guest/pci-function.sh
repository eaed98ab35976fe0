#!/bin/sh
# The PCI function behind a sysfs device path and what firmware says about it, for the device
# tests (test_nvme_device.sh, test_nic_device.sh):
#   sh /add/guest/pci-function.sh SYSFS_DEVICE_PATH
# writes /out/pci_function (the first directory above the path named like one: DDDD:BB:DD.F),
# /out/pci_numa_node, /out/pci_local_cpulist and /out/node1_cpulist.
dev=$1
while [ -n "$dev" ] && [ "$dev" != / ]; do
  case "${dev##*/}" in
    [0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f].[0-7]) break ;;
  esac
  dev=${dev%/*}
done
echo "$dev" >/out/pci_function
cat "$dev/numa_node" >/out/pci_numa_node
cat "$dev/local_cpulist" >/out/pci_local_cpulist
cat /sys/devices/system/node/node1/cpulist >/out/node1_cpulist
