#!/usr/bin/env python3
"""Compares the guest's NUMA topology with what numa-vm was told.

DUMP is either guest/node-dump.sh output (what the guest kernel shows in sysfs) or, with
--monitor-json, `aurora-numa-monitor topology --json` run in the guest (what our tool reports).

usage: check_topology.py DUMP [--monitor-json] --nodes N --cpus-per-node C --mem-per-node MIB
                         [--cpuless-node MIB]... [--distance I,J,D]...
Prints one line per mismatch and exits 1 if there is any, 0 otherwise.
"""
import argparse
import sys

from cpulist import parse_list

# Memory the guest kernel keeps for itself (its image, page structs, firmware holes) is not in
# a node's MemTotal; a node must still show at least this share of what it was given.
MIN_MEMTOTAL_SHARE = 0.75


def expected_topology(args):
    total = args.nodes + len(args.cpuless_node)
    cpus, memory_mib = {}, {}
    for node in range(total):
        if node < args.nodes:
            first = node * args.cpus_per_node
            cpus[node] = list(range(first, first + args.cpus_per_node))
            memory_mib[node] = args.mem_per_node
        else:
            cpus[node] = []
            memory_mib[node] = args.cpuless_node[node - args.nodes]
    distance = [[10 if i == j else 20 for j in range(total)] for i in range(total)]
    for spec in args.distance:
        i, j, d = (int(x) for x in spec.split(","))
        distance[i][j] = distance[j][i] = d
    return total, cpus, memory_mib, distance


def read_dump(path):
    facts = {"node": {}}
    with open(path) as dump:
        for line in dump:
            words = line.split()
            if not words:
                continue
            if words[0] == "node":
                node, key, value = int(words[1]), words[2], words[3:]
                facts["node"].setdefault(node, {})[key] = value
            else:
                facts[words[0]] = words[1] if len(words) > 1 else ""
    return facts


def read_monitor_json(path):
    """The same facts as read_dump, from `aurora-numa-monitor topology --json`."""
    import json
    with open(path) as f:
        topology = json.load(f)
    facts = {"node": {}}
    ids = [n["id"] for n in topology["nodes"]]
    facts["online"] = ",".join(str(i) for i in ids)
    facts["has_cpu"] = ",".join(str(n["id"]) for n in topology["nodes"] if n["cpus"])
    facts["has_memory"] = ",".join(str(n["id"]) for n in topology["nodes"]
                                   if n["memory_total_bytes"] > 0)
    for n in topology["nodes"]:
        facts["node"][n["id"]] = {
            "cpulist": [",".join(str(c) for c in n["cpus"])],
            "distance": [str(n["distances"][str(j)]) for j in ids],
            "memtotal_kb": [str(n["memory_total_bytes"] // 1024)],
        }
    return facts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dump")
    parser.add_argument("--monitor-json", action="store_true")
    parser.add_argument("--nodes", type=int, required=True)
    parser.add_argument("--cpus-per-node", type=int, required=True)
    parser.add_argument("--mem-per-node", type=int, required=True)
    parser.add_argument("--cpuless-node", type=int, action="append", default=[])
    parser.add_argument("--distance", action="append", default=[])
    args = parser.parse_args()

    total, cpus, memory_mib, distance = expected_topology(args)
    facts = read_monitor_json(args.dump) if args.monitor_json else read_dump(args.dump)
    problems = []

    def expect(what, seen, wanted):
        if seen != wanted:
            problems.append(f"{what}: guest has {seen}, configured {wanted}")

    expect("node directories", sorted(facts["node"]), list(range(total)))
    expect("online nodes", parse_list(facts.get("online", "")), list(range(total)))
    expect("nodes with CPUs", parse_list(facts.get("has_cpu", "")), list(range(args.nodes)))
    expect("nodes with memory", parse_list(facts.get("has_memory", "")), list(range(total)))
    for node in range(total):
        seen = facts["node"].get(node, {})
        expect(f"node {node} CPUs", parse_list(" ".join(seen.get("cpulist", []))), cpus[node])
        expect(f"node {node} distances", [int(d) for d in seen.get("distance", [])],
               distance[node])
        memtotal_mib = int(seen.get("memtotal_kb", ["0"])[0]) / 1024
        if not MIN_MEMTOTAL_SHARE * memory_mib[node] <= memtotal_mib <= memory_mib[node]:
            problems.append(f"node {node} MemTotal: guest has {memtotal_mib:.0f} MiB, configured "
                            f"{memory_mib[node]} MiB (expected {MIN_MEMTOTAL_SHARE:.0%}..100%)")
        else:
            print(f"node {node}: CPUs {cpus[node]}, MemTotal {memtotal_mib:.0f} of "
                  f"{memory_mib[node]} MiB, distances {distance[node]}")
    for problem in problems:
        print("topology mismatch:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
