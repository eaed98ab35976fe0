#!/bin/sh
# shellcheck shell=dash
# Guest side of the pipeline VM tests (busybox sh): records the whole machine with the monitor
# while aurora-numa-workload puts 64 MiB (4 KiB pages) on node 0 and runs 2 threads on node 1,
# so AutoNUMA migrates the pages under the monitor's eyes.
#   sh /add/guest/pipeline-scenario.sh RECORDING
# Leaves under /out: workload.pid, workload.jsonl, workload.rc, record.log, record.rc.
# The recording is unscoped (the workload's pid is not known before it starts, and its first
# faults come at once); the host-side checks pick the workload's process out by pid.
rec=$1
aurora-numa-monitor record --output "$rec" --interval 0.5 2>/out/record.log &
monitor=$!
# The header line is written once every probe is attached: only then start the workload.
tries=0
while [ ! -s "$rec" ] && [ "$tries" -lt 600 ] && kill -0 "$monitor" 2>/dev/null; do
  sleep 0.1
  tries=$((tries + 1))
done
aurora-numa-workload --mem-mib 64 --mem-node 0 --cpu-node 1 --threads 2 --no-hugepage \
  --seconds 10 --report-interval 1 >/out/workload.jsonl &
workload=$!
echo "$workload" >/out/workload.pid
wait "$workload"
echo $? >/out/workload.rc
# One more interval so the workload's last faults and its exit are in the recording.
sleep 1
kill -INT "$monitor"
wait "$monitor"
echo $? >/out/record.rc
