#!/bin/sh
# shellcheck shell=dash
# Guest side of the coordinator scenario suite (docs/performance.md, tests/vm/test_coordinator_suite.sh):
# runs one scenario three ways in one boot of a 2-node guest (2 CPUs, 512 MiB a node):
#   aurora    AutoNUMA off, `aurora-numa-monitor run --apply`
#   autonuma  AutoNUMA on with the kernel's default scan settings, no aurora
#   both      both on
#   sh /add/guest/coordinator-scenario.sh SCENARIO [MODE...]
# SCENARIO: misplaced reverse large bound crowded shared phases crosswise.
# Each mode leaves under /out/MODE/: samples.txt (locality-sampler.sh), workload-*.jsonl and
# .rc, pids, window (uptime seconds the measured window starts and ends), vmstat-start/-end,
# meminfo-start, and with aurora: run.log, journal.jsonl, revert.log, revert.rc.
scenario=$1
shift
modes=${*:-aurora autonuma both}
guest=$(dirname "$0")
run_seconds=24  # how long the workloads run: the window, then revert with the workloads still running
window=15       # the measured window, from the workloads' start; aurora acts within it
sample_period=0.5

balancing=/sys/kernel/debug/sched/numa_balancing
autonuma() {
  if [ "$1" = on ]; then
    # The kernel's defaults (kernel/sched/fair.c), not numa-vm's faster TCG settings.
    echo 1000 >"$balancing/scan_delay_ms"
    echo 1000 >"$balancing/scan_period_min_ms"
    echo 60000 >"$balancing/scan_period_max_ms"
    echo 256 >"$balancing/scan_size_mb"
    echo 1 >/proc/sys/kernel/numa_balancing
  else
    echo 0 >/proc/sys/kernel/numa_balancing
  fi
}

uptime_now() { cut -d' ' -f1 /proc/uptime; }

# workload NAME ARGS...: one aurora-numa-workload in the background; its pid goes to $out/pids.
workload() {
  name=$1
  shift
  aurora-numa-workload --seconds "$run_seconds" --no-hugepage --access shared "$@" \
    >"$out/workload-$name.jsonl" 2>"$out/workload-$name.err" &
  echo "$! $name" >>"$out/pids"
}

# Waits until a workload printed its "start" line (its memory is placed, threads start now).
placed() {
  tries=0
  while ! grep -q '"start"' "$out/workload-$1.jsonl" 2>/dev/null && [ "$tries" -lt 600 ]; do
    sleep 0.1
    tries=$((tries + 1))
  done
}

start_workloads() {
  case "$scenario" in
    misplaced) workload main --mem-mib 128 --mem-node 0 --cpu-node 1 --threads 2 ;;
    reverse) workload main --mem-mib 128 --mem-node 1 --cpu-node 0 --threads 2 ;;
    # More than node 1 (or node 0) has free: first touch prefers node 0 and spills to node 1.
    large) workload main --mem-mib 576 --placement preferred --mem-node 0 --cpu-node 1 --threads 2 ;;
    bound) workload main --mem-mib 128 --placement bind --mem-node 0 --cpu-node 1 --threads 2 ;;
    crowded)
      workload first --mem-mib 128 --mem-node 0 --cpu-node -1 --threads 2
      workload second --mem-mib 128 --mem-node 0 --cpu-node -1 --threads 2 ;;
    shared)
      workload first --mem-mib 128 --mem-node 0 --cpu-node 0 --threads 1 --shm aurora-suite
      placed first
      workload second --mem-mib 128 --mem-node 0 --cpu-node 1 --threads 1 --shm aurora-suite ;;
    phases) workload main --mem-mib 128 --mem-node 0 --cpu-node 0 --threads 2 --phase-node 1 --phase-at 7 ;;
    # Each runs where the other's memory is; neither node has CPU room for the other's threads
    # beside the ones already there (AutoNUMA cannot swap them either: each has one common mask).
    crosswise)
      workload first --mem-mib 128 --mem-node 1 --cpu-node 0 --threads 2
      workload second --mem-mib 128 --mem-node 0 --cpu-node 1 --threads 2 ;;
    *) echo "coordinator-scenario: unknown scenario '$scenario'" >&2; return 2 ;;
  esac
}

vmstat_migrations() { grep -E '^(pgmigrate_success|numa_pages_migrated) ' /proc/vmstat; }

cat /sys/devices/system/node/node*/cpulist >/dev/null  # fail early without sysfs
for node in /sys/devices/system/node/node[0-9]*; do
  echo "${node##*node} $(cat "$node/cpulist")"
done >/out/node-cpus.txt

for mode in $modes; do
  out=/out/$mode
  mkdir -p "$out"
  : >"$out/pids"
  case "$mode" in
    aurora) autonuma off ;;
    autonuma | both) autonuma on ;;
    *) echo "coordinator-scenario: unknown mode '$mode'" >&2; exit 2 ;;
  esac
  monitor=""
  if [ "$mode" != autonuma ]; then
    # The daemon runs before the workload starts, as on a server; it stops at the window's end.
    # Its start-up ends with the page-migration probe (16 MiB of a probe process, 0.2-0.5 s here):
    # waited for, so those pages are not counted in the window's migrations.
    aurora-numa-monitor --config "$guest/coordinator-suite.toml" run --apply \
      --journal "$out/journal.jsonl" --duration $((window + 3)) >"$out/run.log" 2>&1 &
    monitor=$!
    tries=0
    while ! grep -q '^coordinator: page migration' "$out/run.log" && [ "$tries" -lt 600 ] && kill -0 "$monitor" 2>/dev/null; do
      sleep 0.1
      tries=$((tries + 1))
    done
    kill -0 "$monitor" 2>/dev/null || { echo "coordinator-scenario: the coordinator did not start" >&2; cat "$out/run.log" >&2; exit 1; }
    # The probe's child is killed and reaped before the probe returns.
    cat /proc/"$monitor"/task/*/children >"$out/children-after-probe"
  fi
  vmstat_migrations >"$out/vmstat-start"
  # The sampler runs from before the workloads start: the first affinity it sees for a thread
  # is the one the application gave it, before the coordinator could change it.
  # It ends when the workloads exit; the cap only guards a hang. A cap counted from the start
  # (run_seconds + 8) ended before the revert when placing 576 MiB took 15 s (large, in CI).
  sh "$guest/locality-sampler.sh" "$out/samples.txt" "$sample_period" $((run_seconds + 120)) "$out/pids" &
  sampler=$!
  start_workloads || exit 2
  # The window starts once every workload placed its memory and started its threads.
  for name in $(cut -d' ' -f2 "$out/pids"); do placed "$name"; done
  echo "$(uptime_now) start" >"$out/window"
  # Each node's memory as the window starts: free, page cache (what a fill may reclaim), the rest.
  cat /sys/devices/system/node/node*/meminfo >"$out/meminfo-start"
  sleep "$window"
  echo "$(uptime_now) end" >>"$out/window"
  vmstat_migrations >"$out/vmstat-end"
  # Where each mapping's pages are at the end, to tell what a residual remote share is.
  while read -r pid name; do
    cat "/proc/$pid/numa_maps" >"$out/numa_maps-$name" 2>/dev/null || true
  done <"$out/pids"
  if [ -n "$monitor" ]; then
    cat /proc/"$monitor"/task/*/children >"$out/children-at-end"
    kill -INT "$monitor" 2>/dev/null
    wait "$monitor"
    echo $? >"$out/run.rc"
    # The workloads still run: revert must give every thread its original affinity back.
    aurora-numa-monitor revert --all --journal "$out/journal.jsonl" >"$out/revert.log" 2>&1
    echo $? >"$out/revert.rc"
    echo "$(uptime_now) reverted" >>"$out/window"
  fi
  while read -r pid name; do
    wait "$pid"
    echo $? >"$out/workload-$name.rc"
  done <"$out/pids"
  wait "$sampler"
done
autonuma off
