#!/bin/sh
# Guest side of tests/vm/test_device_placement.sh KIND, in a 2-node guest whose device is on
# node 1 (numa-vm --nvme-node 1 or --nic-node 1): an IO-bound process started on node 0's CPUs,
# and `aurora-numa-monitor run --apply`.
#   disk     `dd` reading the NVMe disk with O_DIRECT
#   network  `nc` streaming small writes over TCP through the NIC (to the harness's discard
#            service at 10.0.2.100:9), fed by a shell loop that sleeps between them
# Leaves under /out: run.log, journal.jsonl, run.rc, revert.log, revert.rc, io.pid, io.comm, and
# the process's allowed CPUs and the CPUs it ran on at the start, after the run and after the
# revert (affinity-*, ran-on-*), io.state (still running at the end).
kind=$1
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

case "$kind" in
  disk) taskset -c "$node0" dd if=/dev/nvme0n1 of=/dev/null bs=512 iflag=direct 2>/out/io.err & ;;
  network)
    (while :; do head -c 256 /dev/zero; usleep 5000; done) |
      taskset -c "$node0" nc 10.0.2.100 9 >/dev/null 2>/out/io.err & ;;
  *) echo "device-placement: unknown kind '$kind'" >&2; exit 2 ;;
esac
io_pid=$!  # the pipeline's last process: nc (taskset execs it)
echo "$io_pid" >/out/io.pid
sleep 0.5
cat "/proc/$io_pid/comm" >/out/io.comm
grep Cpus_allowed_list "/proc/$io_pid/status" | cut -f2 >/out/affinity-start
ran_on "$io_pid" >/out/ran-on-start
aurora-numa-monitor --config "$guest/device-placement.toml" run --apply --journal /out/journal.jsonl \
  --duration 8 >/out/run.log 2>&1
echo $? >/out/run.rc
grep Cpus_allowed_list "/proc/$io_pid/status" | cut -f2 >/out/affinity-applied
ran_on "$io_pid" >/out/ran-on-applied
aurora-numa-monitor revert --all --journal /out/journal.jsonl >/out/revert.log 2>&1
echo $? >/out/revert.rc
grep Cpus_allowed_list "/proc/$io_pid/status" | cut -f2 >/out/affinity-reverted
# Still doing its IO all along (not finished, not failed).
kill -0 "$io_pid" 2>/dev/null && echo running >/out/io.state || echo exited >/out/io.state
kill "$io_pid" 2>/dev/null
exit 0
