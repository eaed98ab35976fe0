#!/usr/bin/env python3
"""Share of one mapping's pages on a node, from a saved /proc/PID/numa_maps.

  check_numa_maps.py FILE --pages N --node K --between LOW HIGH

The mapping is the anonymous one whose resident pages (the N<node>= counts) add up to N, within
2%: the workload's buffer. Exit 0 when its share on node K lies in [LOW, HIGH]; 1 otherwise,
printing what it found."""
import argparse
import re
import sys


def mappings(path):
    for line in open(path):
        fields = line.split()
        if len(fields) < 2:
            continue
        by_node = {int(m.group(1)): int(m.group(2)) for m in (re.match(r"N(\d+)=(\d+)$", f) for f in fields) if m}
        yield line.strip(), by_node


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--node", type=int, required=True)
    parser.add_argument("--between", type=float, nargs=2, required=True)
    args = parser.parse_args()
    found = [(line, by_node) for line, by_node in mappings(args.file)
             if "anon=" in line and abs(sum(by_node.values()) - args.pages) <= args.pages * 0.02]
    if len(found) != 1:
        print(f"{args.file}: {len(found)} anonymous mappings of about {args.pages} pages, not 1")
        return 1
    line, by_node = found[0]
    share = by_node.get(args.node, 0) / sum(by_node.values())
    low, high = args.between
    print(f"{args.file}: {share:.1%} of the buffer on node {args.node} ({line})")
    return 0 if low <= share <= high else 1


if __name__ == "__main__":
    sys.exit(main())
