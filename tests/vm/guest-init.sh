#!/bin/busybox sh
# shellcheck shell=dash
# /init of the numa-vm guest (busybox ash; nothing else is in the guest but busybox, the
# project's binaries and their shared libraries). tests/vm/numa-vm packs this file into the
# cached initramfs and a small per-run archive with /run/aurora-vm/{config,command} and /add/
# (and the modules for --nvme-node and --nic-node).
#
# Protocol with the host (numa-vm):
#   "aurora-vm:<token>: init"            on the console once /init runs (the host's boot watchdog
#                                         and boot-time measurement key on it)
#   "aurora-vm:<token>: command-done N"  on the console when COMMAND has exited, before /out is
#                                         sent (only when the host asked for /out)
#   /out/ as a base64 tar on the second serial port, ending in a "====" line
#   "aurora-vm:<token>: exit-status N"   on the console at the end; N is exact (0..255)
#   N (clamped to 127) written to the isa-debug-exit port: QEMU exits 2*N+1 at once.
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/aurora/bin:/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root

mkdir -p /proc /sys /dev /tmp /root /out
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t bpf bpffs /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
# The serial console must not turn "\n" into "\r\n": the host streams it as it is.
stty -F /dev/console -onlcr 2>/dev/null

# shellcheck disable=SC1091  # written by the host for this run
. /run/aurora-vm/config
echo "aurora-vm:$AURORA_VM_TOKEN: init"
if [ "$AURORA_VM_OUT" = yes ]; then
  # Opened once, now, and held to the end. Each last close of a serial port frees its IRQ and
  # the next open requests it again, often on another CPU's vector; under TCG an interrupt
  # still in flight to the old vector is lost ("No irq handler for vector"), the UART's
  # transmit interrupt never comes again and the guest hangs sending /out (seen in CI).
  exec 9<>/dev/ttyS1
  stty raw -echo <&9 2>/dev/null
fi

if [ "$AURORA_VM_AUTONUMA" = on ]; then
  # TCG runs the guest ~10x slower than hardware: scan sooner and more often than the
  # defaults (1000 ms delay, 1000..60000 ms period) so migrations happen within seconds.
  scan=/sys/kernel/debug/sched/numa_balancing
  echo 100 >"$scan/scan_delay_ms"
  echo 100 >"$scan/scan_period_min_ms"
  echo 1000 >"$scan/scan_period_max_ms"
  echo 1 >/proc/sys/kernel/numa_balancing
else
  echo 0 >/proc/sys/kernel/numa_balancing
fi

# insmod_dir DIR: loads DIR's modules in DIR/order (dependencies first), skipping one already
# loaded (both sets may name it). Sets insmod_failure to a line saying what failed, or "".
insmod_dir() {
  insmod_failure=""
  for ko in $(cat "$1/order" 2>/dev/null || echo order-file-missing); do
    name=${ko%.ko}
    [ -d "/sys/module/$(echo "$name" | tr - _)" ] && continue
    if ! insmod_error=$(insmod "$1/$ko" 2>&1); then
      insmod_failure="insmod $ko failed: $insmod_error"
      return 1
    fi
  done
}

if [ "$AURORA_VM_NVME" = yes ]; then
  # --nvme-node: Debian's kernel has NVMe as modules; numa-vm put them in this run's archive with
  # their load order (dependencies first). A failure is one line and COMMAND still runs: its own
  # checks then say what is missing.
  nvme_start=$(cut -d' ' -f1 /proc/uptime)
  insmod_dir /run/aurora-vm/modules
  nvme_error=$insmod_failure
  if [ -z "$nvme_error" ]; then
    # The controller is reset and its namespace scanned in a workqueue after insmod returns;
    # devtmpfs creates /dev/nvme0n1 then. 10 s bound: it took 0.4-0.8 s under TCG (host load 2-3).
    tries=0
    while [ ! -b /dev/nvme0n1 ] && [ "$tries" -lt 100 ]; do
      sleep 0.1
      tries=$((tries + 1))
    done
    [ -b /dev/nvme0n1 ] || nvme_error="modules loaded but no /dev/nvme0n1 within 10 s"
  fi
  if [ -n "$nvme_error" ]; then
    echo "aurora-vm: nvme: $nvme_error; COMMAND runs without the NVMe disk"
  else
    echo "aurora-vm: nvme: /dev/nvme0n1 ready $(awk -v a="$nvme_start" '{ printf "%.2f", $1 - a }' /proc/uptime) s after insmod"
  fi
fi

if [ "${AURORA_VM_NIC:-no}" = yes ]; then
  # --nic-node: a virtio-net function behind QEMU's user-mode network (slirp: the guest is
  # 10.0.2.15/24, the gateway 10.0.2.2). Modules as for NVMe; the interface is the one whose
  # device is virtio (eth0: no udev here to rename it). Its name goes to /run/aurora-vm/nic.
  nic_start=$(cut -d' ' -f1 /proc/uptime)
  nic_if=""
  insmod_dir /run/aurora-vm/nic-modules
  nic_error=$insmod_failure
  if [ -z "$nic_error" ]; then
    # virtio_net probes while its insmod runs; 10 s bound in case a probe is deferred.
    tries=0
    while [ -z "$nic_if" ] && [ "$tries" -lt 100 ]; do
      for net in /sys/class/net/*; do
        case "$(readlink -f "$net/device" 2>/dev/null)" in
          */virtio[0-9]*) nic_if=${net##*/}; break ;;
        esac
      done
      [ -n "$nic_if" ] || { sleep 0.1; tries=$((tries + 1)); }
    done
    [ -n "$nic_if" ] || nic_error="modules loaded but no virtio network interface within 10 s"
  fi
  if [ -z "$nic_error" ]; then
    nic_error=$({ ip link set "$nic_if" up && ip addr add 10.0.2.15/24 dev "$nic_if" &&
      ip route add default via 10.0.2.2 dev "$nic_if"; } 2>&1) || nic_error="configuring $nic_if failed: ${nic_error:-ip exited non-zero}"
  fi
  if [ -z "$nic_error" ]; then
    # Packets flow as soon as the carrier is on, but operstate follows through linkwatch, up to
    # 1 s later (HZ between its runs): wait for it (5 s bound) so COMMAND sees the link "up".
    tries=0
    while [ "$(cat "/sys/class/net/$nic_if/operstate")" != up ] && [ "$tries" -lt 50 ]; do
      sleep 0.1
      tries=$((tries + 1))
    done
    operstate=$(cat "/sys/class/net/$nic_if/operstate")
    [ "$operstate" = up ] || nic_error="$nic_if configured but its operstate is '$operstate' after 5 s"
  fi
  if [ -n "$nic_error" ]; then
    echo "aurora-vm: nic: $nic_error; COMMAND runs without the network interface"
  else
    echo "$nic_if" >/run/aurora-vm/nic
    echo "aurora-vm: nic: $nic_if up 10.0.2.15 after $(awk -v a="$nic_start" '{ printf "%.2f", $1 - a }' /proc/uptime) s"
  fi
fi

cd /add 2>/dev/null || cd /
sh /run/aurora-vm/command 9>&-
status=$?
cd /

if [ "$AURORA_VM_OUT" = yes ]; then
  # The host watches the transfer from here on (a stall is the harness's, not COMMAND's).
  echo "aurora-vm:$AURORA_VM_TOKEN: command-done $status"
  { tar -C /out -cf - . | base64; echo "===="; } >&9
  # tcsetattr(TCSADRAIN) waits until the UART has sent everything queued.
  stty raw -echo <&9 2>/dev/null
fi
echo "aurora-vm:$AURORA_VM_TOKEN: exit-status $status"
stty -F /dev/console -onlcr 2>/dev/null

port_value=$status
[ "$port_value" -gt 127 ] && port_value=127
printf "\\$(printf %03o "$port_value")" | dd of=/dev/port bs=1 seek=244 count=1 conv=notrunc 2>/dev/null
# Only reached when the isa-debug-exit device is missing: the host reads the console line.
poweroff -f
