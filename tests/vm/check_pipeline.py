#!/usr/bin/env python3
"""usage: check_pipeline.py RECORDING PID CHECK

Reads a recording (`aurora-numa-monitor record`, JSON lines: header, then snapshots) made in a
guest while PID (aurora-numa-workload) ran misplaced, and checks one thing the locality
pipeline promises (docs/locality.md):

  fentry          fentry/task_numa_fault is active in the header and in every snapshot
  remote-early    the first interval where PID has NUMA hinting faults has remote faults and
                  locality < 0.5, from the BPF fault signal
  rises           a later interval has locality > 0.8 (AutoNUMA moved the pages to the
                  threads' node)
  stays-high      once locality > 0.8, no later interval reports locality < 0.5 (the pages
                  stay local; a fallback signal must not contradict the BPF faults)
  migrated        pages_migrated and/or numa_moves attributed to PID add up to > 0

Prints PID's per-interval figures so a failure shows what happened.
"""
import json
import sys


def load(path):
    with open(path) as f:
        records = [json.loads(line) for line in f if line.strip()]
    header = records[0]
    snapshots = [r for r in records[1:] if r.get("type") == "snapshot"]
    return header, snapshots


def process_rows(snapshots, pid):
    rows = []
    for index, snapshot in enumerate(snapshots):
        for process in snapshot.get("processes", []):
            if process["pid"] == pid:
                rows.append((index, process))
    return rows


def faults(process):
    return process["numa_faults_local"] + process["numa_faults_remote"]


def probe_active(probes, name):
    return any(p["name"] == name and p["active"] for p in probes)


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    header, snapshots = load(sys.argv[1])
    pid = int(sys.argv[2])
    check = sys.argv[3]
    rows = process_rows(snapshots, pid)
    print(f"{len(snapshots)} snapshots, pid {pid} in {len(rows)} of them")
    for index, p in rows:
        print(f"  #{index}: faults local {p['numa_faults_local']} remote {p['numa_faults_remote']}"
              f" locality {p['locality']} ({p.get('locality_source')}) pages_migrated"
              f" {p['pages_migrated']} numa_moves {p['numa_moves']} home_node {p['home_node']}"
              f" cpu_ns_by_node {p['cpu_ns_by_node']}")

    if check == "fentry":
        name = "fentry/task_numa_fault"
        bad = [] if probe_active(header.get("probes", []), name) else ["header"]
        bad += [f"snapshot #{i}" for i, s in enumerate(snapshots)
                if not probe_active(s.get("probes", []), name)]
        if not snapshots:
            bad.append("no snapshots")
        for where in bad:
            print(f"{name} not active in {where}")
        return 1 if bad else 0

    faulting = [(i, p) for i, p in rows if faults(p) > 0]
    if check == "remote-early":
        if not faulting:
            print(f"pid {pid}: no NUMA hinting faults attributed in any interval")
            return 1
        # The first interval whose faults decide the locality: the pipeline counts faults only
        # from kMinimumFaultSample on (userspace/pipeline/locality_score.hpp), so an interval with
        # a handful of them (23 in one CI run) reads placement instead and says nothing here.
        decided = [(i, p) for i, p in faulting if p.get("locality_source") == "bpf_numa_faults"]
        if not decided:
            print(f"pid {pid}: no interval with enough NUMA hinting faults to decide the locality")
            return 1
        index, first = decided[0]
        ok = (first["numa_faults_remote"] > 0 and first["locality"] is not None
              and first["locality"] < 0.5 and first.get("locality_source") == "bpf_numa_faults")
        print(f"first interval decided by faults #{index}: remote {first['numa_faults_remote']},"
              f" locality {first['locality']} ({first.get('locality_source')}): "
              f"{'ok' if ok else 'want remote > 0 and locality < 0.5 from bpf_numa_faults'}")
        return 0 if ok else 1

    if check == "rises":
        if not faulting:
            print(f"pid {pid}: no NUMA hinting faults attributed in any interval")
            return 1
        first_index = faulting[0][0]
        later = [(i, p) for i, p in faulting
                 if i > first_index and p["locality"] is not None and p["locality"] > 0.8]
        if later:
            i, p = later[0]
            print(f"interval #{i}: locality {p['locality']} > 0.8 (after #{first_index})")
            return 0
        print(f"no interval after #{first_index} with locality > 0.8")
        return 1

    if check == "stays-high":
        high = [i for i, p in rows if p["locality"] is not None and p["locality"] > 0.8
                and faults(p) > 0]
        if not high:
            print("locality never went above 0.8")
            return 1
        low = [(i, p) for i, p in rows if i > high[0] and p["locality"] is not None
               and p["locality"] < 0.5]
        for i, p in low:
            print(f"interval #{i}: locality {p['locality']} ({p.get('locality_source')}) after "
                  f"#{high[0]} had {[q for j, q in rows if j == high[0]][0]['locality']}")
        return 1 if low else 0

    if check == "migrated":
        pages = sum(p["pages_migrated"] for _, p in rows)
        moves = sum(p["numa_moves"] for _, p in rows)
        print(f"pid {pid}: pages_migrated {pages}, numa_moves {moves} in total")
        return 0 if pages + moves > 0 else 1

    print(f"unknown check {check!r}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
