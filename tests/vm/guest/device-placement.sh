#!/bin/sh
# Guest side of tests/vm/test_device_placement.sh, in a 2-node guest with the NVMe disk on
# node 1 (numa-vm --nvme-node 1): an IO-bound `dd` reading the disk with O_DIRECT, started on
# node 0's CPUs, and `aurora-numa-monitor run --apply`. Leaves under /out: run.log, journal.jsonl,
# run.rc, revert.log, revert.rc, dd.pid, and the dd's allowed CPUs and the CPUs it ran on at
# the start, after the run and after the revert (affinity-*, ran-on-*).
guest=$(dirname "$0")
node0=$(cat /sys/devices/system/node/node0/cpulist)

# Field 39 of /proc/PID/stat: the CPU the task last ran on; sampled while it works.
ran_on() {
  i=0
  while [ $i -lt 10 ]; do
    sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f37
    sleep 0.1
    i=$((i + 1))
  done | sort -u | tr '\n' ' '
}

taskset -c "$node0" dd if=/dev/nvme0n1 of=/dev/null bs=512 iflag=direct 2>/out/dd.err &
dd_pid=$!
echo "$dd_pid" >/out/dd.pid
sleep 0.5
grep Cpus_allowed_list "/proc/$dd_pid/status" | cut -f2 >/out/affinity-start
ran_on "$dd_pid" >/out/ran-on-start
aurora-numa-monitor --config "$guest/device-placement.toml" run --apply --journal /out/journal.jsonl \
  --duration 8 >/out/run.log 2>&1
echo $? >/out/run.rc
grep Cpus_allowed_list "/proc/$dd_pid/status" | cut -f2 >/out/affinity-applied
ran_on "$dd_pid" >/out/ran-on-applied
aurora-numa-monitor revert --all --journal /out/journal.jsonl >/out/revert.log 2>&1
echo $? >/out/revert.rc
grep Cpus_allowed_list "/proc/$dd_pid/status" | cut -f2 >/out/affinity-reverted
# Still reading the disk all along (not finished, not failed).
kill -0 "$dd_pid" 2>/dev/null && echo running >/out/dd.state || echo exited >/out/dd.state
kill "$dd_pid" 2>/dev/null
exit 0
