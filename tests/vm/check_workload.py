#!/usr/bin/env python3
"""Assertions on aurora-numa-workload's JSON lines (the page census over time).

usage: check_workload.py FILE converges --node N --share F
           some census finds >= F of ALL pages on node N, and in the final census >= F of the
           pages it could locate are there (pages the NUMA scanner just made PROT_NONE read
           -ENOENT; they are unknown, not elsewhere); prints the time of the first such census
           (the convergence time)
       check_workload.py FILE stays --node N --share F
           every census, start to done, finds >= F of all pages on node N
       check_workload.py FILE starts --node N --share F
           the census taken right after allocation finds >= F of all pages on node N
Add --before-phase or --after-phase to look only at the censuses before or after the
workload's phase change (--phase-node); "final" is then the last census of that part.
"""
import argparse
import json
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("mode", choices=["converges", "stays", "starts"])
    parser.add_argument("--node", required=True)
    parser.add_argument("--share", type=float, required=True)
    part = parser.add_mutually_exclusive_group()
    part.add_argument("--before-phase", action="store_true")
    part.add_argument("--after-phase", action="store_true")
    args = parser.parse_args()
    args.phase_t = None

    with open(args.file) as lines:
        records = [json.loads(line) for line in lines if line.startswith("{")]
    censuses = [r for r in records if r.get("event") in ("start", "report", "done")]
    if not censuses or censuses[0]["event"] != "start":
        print(f"{args.file}: no census from the start of the workload")
        return 1
    done = censuses[-1] if censuses[-1]["event"] == "done" else None
    if args.mode != "starts" and done is None:
        print(f"{args.file}: the workload did not finish (no 'done' line)")
        return 1
    if args.before_phase or args.after_phase:
        phases = [r for r in records if r.get("event") == "phase"]
        if not phases:
            print(f"{args.file}: no phase change happened")
            return 1
        phase_t = phases[0]["t"]
        args.phase_t = phase_t
        print(f"phase change to node {phases[0]['cpu_node']} at t={phase_t} s")
        if args.before_phase:
            censuses = [r for r in censuses if r["t"] < phase_t]
        else:
            censuses = [r for r in censuses if r["t"] >= phase_t]
        if not censuses:
            print(f"{args.file}: no census {'before' if args.before_phase else 'after'} the phase")
            return 1
        done = censuses[-1]

    def share(record):
        return record["share"].get(args.node, 0.0)

    def describe(record):
        return (f"t={record['t']}s on_node={record['on_node']} enoent={record['enoent']} "
                f"of {record['pages']} pages")

    if args.mode == "starts":
        ok = share(censuses[0]) >= args.share
        print(f"start: {describe(censuses[0])}")
    elif args.mode == "stays":
        below = [r for r in censuses if share(r) < args.share]
        ok = not below
        for record in below[:3]:
            print(f"node {args.node} share below {args.share}: {describe(record)}")
        print(f"{len(censuses)} censuses; last: {describe(censuses[-1])}")
    else:
        reached = [r for r in censuses if share(r) >= args.share]
        located = done["pages"] - done["enoent"] - done["other_errors"]
        final_share = done["on_node"].get(args.node, 0) / located if located else 0.0
        ok = bool(reached) and final_share >= args.share
        if reached:
            since_phase = ("" if args.phase_t is None or not args.after_phase else
                           f", {reached[0]['t'] - args.phase_t:.1f} s after the phase change")
            print(f"converged: >= {args.share:.0%} of pages on node {args.node} at "
                  f"t={reached[0]['t']} s (guest clock{since_phase}); {describe(reached[0])}")
        print(f"final: {describe(done)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
