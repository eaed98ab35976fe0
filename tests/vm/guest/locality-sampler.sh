#!/bin/sh
# shellcheck shell=dash
# Samples, every PERIOD seconds until SECONDS have passed or every process listed has exited,
# where each process's memory is (/proc/PID/numa_maps) and where each of its threads ran
# (/proc/PID/task/TID/stat), for tests/vm/check_scenario.py. busybox sh + awk only: nothing else
# is in the guest. PIDFILE ("pid name" lines) is read again at every sample, so the sampler can
# start before the processes do and see each thread's affinity from its first moment.
#   sh locality-sampler.sh OUTFILE PERIOD SECONDS PIDFILE
# Lines (t = /proc/uptime seconds):
#   M t pid node pages                        resident pages of pid on node, all mappings
#   D t pid node pages                        the same, data mappings only: anonymous memory and
#                                             shared memory objects (/dev/shm, SysV, memfd,
#                                             /dev/zero), not the page cache of libraries,
#                                             executables and other files
#   T t pid tid cpu ticks allowed             a thread: last CPU, utime+stime (USER_HZ ticks),
#                                             Cpus_allowed_list
out=$1
period=$2
seconds=$3
pidfile=$4
uptime() { cut -d' ' -f1 /proc/uptime; }
start=$(uptime)
: >"$out"
while :; do
  t=$(uptime)
  awk -v t="$t" -v s="$start" -v d="$seconds" 'BEGIN { exit !(t - s >= d) }' && break
  alive=0
  listed=0
  for pid in $(cut -d' ' -f1 "$pidfile" 2>/dev/null); do
    listed=1
    [ -r "/proc/$pid/numa_maps" ] || continue
    alive=1
    awk -v t="$t" -v pid="$pid" '
      {
        data = $0 !~ / file=/ || $0 ~ / file=(\/dev\/shm\/|\/SYSV|\/memfd:|\/dev\/zero)/
        for (i = 2; i <= NF; i++)
          if ($i ~ /^N[0-9]+=/) {
            split(substr($i, 2), kv, "=")
            pages[kv[1]] += kv[2]
            if (data) data_pages[kv[1]] += kv[2]
          }
      }
      END {
        for (n in pages) print "M", t, pid, n, pages[n]
        for (n in data_pages) print "D", t, pid, n, data_pages[n]
      }' "/proc/$pid/numa_maps" >>"$out" 2>/dev/null
    for task in /proc/"$pid"/task/*; do
      tid=${task##*/}
      allowed=$(awk '/^Cpus_allowed_list:/ { print $2 }' "$task/status" 2>/dev/null)
      # Fields after "(comm) ": state is $1, utime $12, stime $13, processor $37.
      sed 's/^.*) //' "$task/stat" 2>/dev/null |
        awk -v t="$t" -v pid="$pid" -v tid="$tid" -v allowed="$allowed" \
          'NF >= 37 { print "T", t, pid, tid, $37, $12 + $13, allowed }' >>"$out"
    done
  done
  [ "$listed" = 1 ] && [ "$alive" = 0 ] && break
  sleep "$period"
done
