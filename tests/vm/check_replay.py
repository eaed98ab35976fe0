#!/usr/bin/env python3
"""usage: check_replay.py RECORDING REPLAY-OUTPUT [PID]

RECORDING was written by `aurora-numa-monitor record` in a guest; REPLAY-OUTPUT is what
`aurora-numa-monitor replay RECORDING --json` printed on the host (one snapshot per line).
Checks that the replay has one snapshot per recorded snapshot, in order, and that every
process in every snapshot has the same figures as the recorded line (every field the recording
holds, so the per-process figures of docs/data-contract.md included), and the same node figures.
With PID, also that PID (the guest workload) shows up with NUMA faults in the replay, so the
comparison covered the multi-node figures and not only idle processes.
"""
import json
import sys

PROCESS_FIGURES = ["pid", "comm", "cgroup", "threads", "cpu_ns_by_node", "memory_bytes_by_node",
                   "numa_faults_local", "numa_faults_remote", "numa_moves", "pages_migrated",
                   "cross_node_migrations", "locality", "home_node"]


def lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__)
        return 2
    recorded = [r for r in lines(sys.argv[1]) if r.get("type") == "snapshot"]
    replayed = lines(sys.argv[2])
    pid = int(sys.argv[3]) if len(sys.argv) == 4 else None
    problems = []
    if len(recorded) != len(replayed):
        problems.append(f"{len(recorded)} snapshots recorded, {len(replayed)} replayed")
    compared = 0
    workload_faults = 0
    for index, (rec, rep) in enumerate(zip(recorded, replayed)):
        rec_processes = {p["pid"]: p for p in rec.get("processes", [])}
        rep_processes = {p["pid"]: p for p in rep.get("processes", [])}
        if sorted(rec_processes) != sorted(rep_processes):
            problems.append(f"#{index}: pids {sorted(rec_processes)} recorded, "
                            f"{sorted(rep_processes)} replayed")
        for p, rec_p in rec_processes.items():
            rep_p = rep_processes.get(p)
            if rep_p is None:
                continue
            for field in PROCESS_FIGURES:
                if field not in rec_p:
                    problems.append(f"#{index} pid {p}: {field} missing from the recording")
                elif rec_p[field] != rep_p.get(field):
                    problems.append(f"#{index} pid {p} {field}: recorded {rec_p[field]!r}, "
                                    f"replayed {rep_p.get(field)!r}")
            extra = {k for k in rec_p if rec_p[k] != rep_p.get(k)} - set(PROCESS_FIGURES)
            for field in sorted(extra):
                problems.append(f"#{index} pid {p} {field}: recorded {rec_p[field]!r}, "
                                f"replayed {rep_p.get(field)!r}")
            compared += 1
            if p == pid:
                workload_faults += rep_p["numa_faults_local"] + rep_p["numa_faults_remote"]
        if rec.get("nodes") != rep.get("nodes"):
            problems.append(f"#{index}: node figures differ: recorded {rec.get('nodes')!r}, "
                            f"replayed {rep.get('nodes')!r}")
        rec_rest = {k: v for k, v in rec.items() if k != "type"}
        if rec_rest != rep:
            keys = sorted(k for k in set(rec_rest) | set(rep) if rec_rest.get(k) != rep.get(k))
            problems.append(f"#{index}: snapshot fields differ: {keys}")
    print(f"{len(recorded)} snapshots, {compared} process entries compared")
    if pid is not None:
        print(f"pid {pid}: {workload_faults} NUMA faults in the replay")
        if workload_faults == 0:
            problems.append(f"pid {pid} has no NUMA faults in the replay")
    for problem in problems[:40]:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
