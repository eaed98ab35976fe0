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
# One awk reads every file of a sample: a process a file (cut, sed and awk per thread) took
# 0.3-1.5 s a sample under TCG, so samples came 0.8-2 s apart where PERIOD asked for 0.5, and a
# window's first interval, which the measure leaves out while it straddles the start, could be
# most of its first two seconds.
out=$1
period=$2
seconds=$3
pidfile=$4
# The instrument runs ahead of what it measures: at the default priority, beside 4-5 busy threads
# on 2 vCPUs, it waits its turn, and samples came 0.33-1.13 s apart (crowded) where they come
# 0.42-0.59 s apart at -10. Its own CPU time is a few percent of one vCPU, the same in every mode.
renice -n -10 -p $$ >/dev/null 2>&1 || true
read -r start _ </proc/uptime
due=""
: >"$out"
while :; do
  listed=0
  set --
  # A redirected loop runs in this shell (ash, dash): the list it builds is kept.
  while read -r pid _; do
    listed=1
    [ -r "/proc/$pid/numa_maps" ] || continue
    set -- "$@" "/proc/$pid/numa_maps"
    for task in /proc/"$pid"/task/*; do set -- "$@" "$task/status" "$task/stat"; done
  done <"$pidfile" 2>/dev/null
  [ "$listed" = 1 ] && [ "$#" = 0 ] && break
  # Writes the sample to OUTFILE and prints when the next is due and how long to sleep for it
  # (a fork under TCG costs tenths of a second), or "end" once SECONDS have passed. A file that vanished (a thread or process that exited since the glob) is skipped:
  # getline returns -1 where reading it as an operand would stop awk.
  sample=$(awk -v start="$start" -v seconds="$seconds" -v period="$period" -v due="$due" -v out="$out" '
    function field(path, i, parts) { split(path, parts, "/"); return parts[i] }
    BEGIN {
      getline uptime <"/proc/uptime"
      close("/proc/uptime")
      split(uptime, u, " ")
      t = u[1]
      if (t - start >= seconds) { print "end"; exit 0 }
      for (a = 1; a < ARGC; a++) {
        path = ARGV[a]
        pid = field(path, 3)
        if (path ~ /numa_maps$/) {
          split("", pages)
          split("", data_pages)
          while ((getline line <path) > 0) {
            data = line !~ / file=/ || line ~ / file=(\/dev\/shm\/|\/SYSV|\/memfd:|\/dev\/zero)/
            n = split(line, f, " ")
            for (i = 2; i <= n; i++)
              if (f[i] ~ /^N[0-9]+=/) {
                split(substr(f[i], 2), kv, "=")
                pages[kv[1]] += kv[2]
                if (data) data_pages[kv[1]] += kv[2]
              }
          }
          close(path)
          for (node in pages) print "M", t, pid, node, pages[node] >>out
          for (node in data_pages) print "D", t, pid, node, data_pages[node] >>out
        } else if (path ~ /status$/) {
          allowed = ""
          while ((getline line <path) > 0)
            if (line ~ /^Cpus_allowed_list:/) { split(line, f, " "); allowed = f[2] }
          close(path)
        } else if ((getline line <path) > 0) {
          close(path)
          # Fields after "(comm) ": state is the 1st, utime the 12th, stime the 13th, processor
          # the 37th.
          sub(/^.*\) /, "", line)
          if (split(line, f, " ") >= 37) print "T", t, pid, field(path, 5), f[37], f[12] + f[13], allowed >>out
        }
      }
      close(out)
      getline uptime <"/proc/uptime"
      split(uptime, u, " ")
      # Samples are due PERIOD apart from the first, so the shell, the forks and the sleep are
      # made up for; one that came late starts the schedule again rather than a burst.
      next_due = (due == "" ? t : due) + period
      if (next_due < u[1]) next_due = u[1]
      pause = next_due - u[1]
      if (pause < 0.05) pause = 0.05
      printf "%s %.2f\n", next_due, pause
      exit 0
    }' "$@" 2>/dev/null)
  [ "$sample" = end ] && break
  case "$sample" in
    *" "*) due=${sample% *} pause=${sample#* } ;;
    *) due="" pause=$period ;;  # awk failed: no sample, the plain period
  esac
  sleep "$pause"
done
