#!/usr/bin/env python3
"""Host-side measures of one coordinator scenario (tests/vm/guest/coordinator-scenario.sh).

    check_scenario.py OUTDIR measure --json FILE      metrics per mode -> FILE (and a summary)
    check_scenario.py OUTDIR beats-autonuma [--slack S]
    check_scenario.py OUTDIR converges-faster         aurora reaches 95% local before AutoNUMA,
                                                      migrating no more pages
    check_scenario.py OUTDIR no-pingpong MODE         no process's memory or threads went A->B->A
    check_scenario.py OUTDIR reverted MODE            after `revert` every thread has the affinity
                                                      it had when first sampled
    check_scenario.py OUTDIR acted MODE               the coordinator applied at least one action
    check_scenario.py OUTDIR swapped MODE             both processes had their threads moved to their
                                                      memory (a swap, or one after the other), no
                                                      memory moved

Remote share at a sample, for one process: sum over nodes i != j of c[i] * m[j], where c is
the share of its threads' CPU time since the previous sample by the node of the CPU each
thread was last on, and m the share of its resident pages (numa_maps) on each node. A scenario's
remote share is the CPU-weighted mean over its processes. Integrated over the window it is in
remote-seconds (1.0 = one second entirely remote); a sample stands for the time since the one
before it, and the part of that time inside the window counts.
"""
import json
import sys
from pathlib import Path

from cpulist import parse_list

MODES = ("aurora", "autonuma", "both")


def node_of_cpu(outdir):
    mapping = {}
    for line in (outdir / "node-cpus.txt").read_text().splitlines():
        node, _, cpulist = line.partition(" ")
        for cpu in parse_list(cpulist):
            mapping[cpu] = int(node)
    return mapping


def window(mode_dir):
    marks = {}
    for line in (mode_dir / "window").read_text().splitlines():
        t, name = line.split()
        marks[name] = float(t)
    return marks


def load_samples(mode_dir):
    """{t: {"mem": {pid: {node: pages}}, "data": {pid: {node: pages}}, "threads": {(pid, tid): (cpu, ticks, allowed)}}}

    "data" counts data mappings only (anonymous and shared memory, not the page cache of
    libraries and executables); empty for samples taken before the sampler wrote D lines."""
    samples = {}
    for line in (mode_dir / "samples.txt").read_text().splitlines():
        f = line.split()
        if not f:
            continue
        t = float(f[1])
        entry = samples.setdefault(t, {"mem": {}, "data": {}, "threads": {}})
        if f[0] in ("M", "D") and len(f) == 5:
            entry["mem" if f[0] == "M" else "data"].setdefault(int(f[2]), {})[int(f[3])] = int(f[4])
        elif f[0] == "T" and len(f) >= 6:
            allowed = f[6] if len(f) > 6 else ""
            entry["threads"][(int(f[2]), int(f[3]))] = (int(f[4]), int(f[5]), allowed)
    return dict(sorted(samples.items()))


def majority(shares, at_least=0.6):
    total = sum(shares.values())
    if total <= 0:
        return None
    node, value = max(shares.items(), key=lambda kv: kv[1])
    return node if value / total >= at_least else None


def reversals(sequence):
    """A -> B -> A patterns in a sequence of nodes (None entries and repeats ignored)."""
    path = []
    for node in sequence:
        if node is not None and (not path or path[-1] != node):
            path.append(node)
    return sum(1 for i in range(2, len(path)) if path[i] == path[i - 2])


def vmstat(path):
    values = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition(" ")
        values[key] = int(value)
    return values


def remote_of(cpu, memory):
    """Remote share of one process: its threads' CPU by node against its pages by node."""
    cpu_total, mem_total = sum(cpu.values()), sum(memory.values())
    if cpu_total <= 0 or mem_total <= 0:
        return None
    return sum(c * m for i, c in cpu.items() for j, m in memory.items() if i != j) / (cpu_total * mem_total)


def measure_mode(outdir, mode, cpu_node):
    mode_dir = outdir / mode
    marks = window(mode_dir)
    start, end = marks["start"], marks["end"]
    samples = load_samples(mode_dir)
    previous = {}  # (pid, tid) -> (cpu, ticks)
    last_t = None
    integrated = 0.0
    # The same over data pages only: a library's page cache counts like the buffer in the
    # measure above (one page, one share), though the threads touch it far less.
    integrated_data, data_seen = 0.0, False
    series = []
    to_95 = None
    thread_moves = 0
    cpu_majority, mem_majority = {}, {}
    previous_t = None
    for t, entry in samples.items():
        # A sample counts when the CPU time it describes (since the previous sample) lies in the
        # window: the first one after the start may still hold the workloads' first touch.
        in_window = previous_t is not None and previous_t >= start and t <= end
        previous_t = t
        cpu_by_pid = {}
        for key, (cpu, ticks, _allowed) in entry["threads"].items():
            if key in previous:
                before_cpu, before_ticks = previous[key]
                ran = ticks - before_ticks
                if ran > 0:
                    node = cpu_node.get(cpu, -1)
                    cpu_by_pid.setdefault(key[0], {}).setdefault(node, 0)
                    cpu_by_pid[key[0]][node] += ran
                    if in_window and cpu_node.get(before_cpu, -1) != node:
                        thread_moves += 1
            previous[key] = (cpu, ticks)
        weighted, weight = 0.0, 0.0
        weighted_data, weight_data = 0.0, 0.0
        for pid, cpu in cpu_by_pid.items():
            memory = entry["mem"].get(pid)
            if not memory:
                continue
            remote = remote_of(cpu, memory)
            if remote is None:
                continue
            cpu_total = sum(cpu.values())
            weighted += remote * cpu_total
            weight += cpu_total
            data_remote = remote_of(cpu, entry["data"].get(pid, {}))
            if data_remote is not None:
                weighted_data += data_remote * cpu_total
                weight_data += cpu_total
            if in_window:
                cpu_majority.setdefault(pid, []).append(majority(cpu))
                mem_majority.setdefault(pid, []).append(majority(memory))
        # The share a sample holds stands for the time since the previous one: the part of that
        # time inside the window counts, so an interval straddling the start or the end counts
        # in part. Leaving a straddling interval out made the measure depend on where the
        # sampler's phase fell: with samples 1.8 s apart it dropped most of one mode's first two
        # seconds and little of another's (crowded, AutoNUMA 0.43 remote-s against 0.86).
        if weight > 0 and last_t is not None:
            counted = min(t, end) - max(last_t, start)
            if counted > 0:
                share = weighted / weight
                integrated += share * counted
                if weight_data > 0:
                    integrated_data += weighted_data / weight_data * counted
                    data_seen = True
        if weight > 0 and in_window:
            share = weighted / weight
            series.append((round(t - start, 2), round(share, 4)))
            if to_95 is None and share <= 0.05:
                to_95 = t - start
        if weight > 0:
            last_t = t
    migrated = vmstat(mode_dir / "vmstat-end").get("pgmigrate_success", 0) - vmstat(
        mode_dir / "vmstat-start").get("pgmigrate_success", 0)
    journal = mode_dir / "journal.jsonl"
    actions = 0
    if journal.exists():
        actions = sum(1 for line in journal.read_text().splitlines()
                      if line.strip() and json.loads(line).get("phase") == "done")
    passes = 0
    for path in sorted(mode_dir.glob("workload-*.jsonl")):
        for line in path.read_text().splitlines():
            if '"done"' in line:
                passes += json.loads(line).get("passes", 0)
    return {
        "window_seconds": round(end - start, 2),
        "work_passes": passes,
        "integrated_remote_seconds": round(integrated, 3),
        "data_integrated_remote_seconds": round(integrated_data, 3) if data_seen else None,
        "mean_remote_share": round(integrated / (end - start), 4) if end > start else None,
        "seconds_to_95_local": None if to_95 is None else round(to_95, 2),
        "pages_migrated": migrated,
        "thread_node_changes": thread_moves,
        "coordinator_actions": actions,
        # Ping-pong is a fight over placement: pages bouncing back to a node they left, or the
        # coordinator sending a process back where it moved it from. Threads returning to a node
        # are not counted: the application moving them and the coordinator moving them back
        # (the phases scenario) is the intended behaviour.
        "pingpong": sum(reversals(s) for s in mem_majority.values()) + journal_reversals(mode_dir),
        "thread_majority_reversals": sum(reversals(s) for s in cpu_majority.values()),
        "series": series,
    }


def journal_reversals(mode_dir):
    """Moves the coordinator made back to a target it had sent the same process away from."""
    journal = mode_dir / "journal.jsonl"
    if not journal.exists():
        return 0
    targets = {}
    for line in journal.read_text().splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if record.get("phase") == "intent" and record.get("kind") in ("affinity", "memory"):
            targets.setdefault(record["pid"], []).append(str(record.get("target")))
    count = 0
    for sequence in targets.values():
        path = []
        for target in sequence:
            if not path or path[-1] != target:
                path.append(target)
        count += sum(1 for i in range(2, len(path)) if path[i] == path[i - 2])
    return count


def measure(outdir):
    cpu_node = node_of_cpu(outdir)
    return {mode: measure_mode(outdir, mode, cpu_node) for mode in MODES if (outdir / mode / "window").exists()}


def summary_line(mode, m):
    reach = "never" if m["seconds_to_95_local"] is None else f"{m['seconds_to_95_local']:.1f} s"
    return (f"{mode:9} remote {m['integrated_remote_seconds']:.2f} remote-s (mean {m['mean_remote_share']:.0%}), "
            f"95% local after {reach}, {m['pages_migrated']} pages migrated, "
            f"{m['thread_node_changes']} thread node changes, {m['coordinator_actions']} coordinator actions, "
            f"{m['work_passes']} passes of work, "
            f"{m['pingpong']} ping-pong")


def journal_originals(mode_dir):
    """tid -> the affinity the actuator read just before the coordinator's first change to it."""
    originals = {}
    journal = mode_dir / "journal.jsonl"
    if not journal.exists():
        return originals
    for line in journal.read_text().splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if record.get("kind") == "affinity" and record.get("phase") == "intent":
            for tid, mask in record.get("undo", {}).items():
                originals.setdefault(int(tid), mask)
    return originals


def same_cpus(a, b):
    return sorted(parse_list(a)) == sorted(parse_list(b))


def reverted(outdir, mode):
    """After `revert`, every thread the coordinator re-pinned has the affinity it had before
    (as the actuator read it when it acted), and no other thread's affinity changed."""
    mode_dir = outdir / mode
    marks = window(mode_dir)
    if "reverted" not in marks:
        print(f"{mode}: no revert ran")
        return False
    rc = (mode_dir / "revert.rc").read_text().strip()
    if rc != "0":
        print(f"{mode}: revert exited {rc}: {(mode_dir / 'revert.log').read_text()}")
        return False
    originals = journal_originals(mode_dir)
    before, after = {}, {}
    for t, entry in load_samples(mode_dir).items():
        for (pid, tid), (_cpu, _ticks, allowed) in entry["threads"].items():
            if t < marks["end"]:
                before[tid] = allowed
            elif t > marks["reverted"]:
                after[tid] = allowed
    if not after:
        print(f"{mode}: no sample after the revert (the workloads ended first)")
        return False
    wrong = []
    for tid, now in after.items():
        expected = originals.get(tid)
        if expected is None:
            expected = before.get(tid, now)  # not touched by the coordinator: unchanged by revert
        if not same_cpus(expected, now):
            wrong.append(f"  tid {tid}: expected {expected}, now {now}")
    touched = sum(1 for tid in after if tid in originals)
    print(f"{mode}: {touched} sampled thread(s) re-pinned by the coordinator; after revert "
          f"{len(after) - len(wrong)} of {len(after)} have the affinity they had before it acted")
    for line in wrong:
        print(line)
    return not wrong


def main():
    outdir = Path(sys.argv[1])
    check = sys.argv[2]
    args = sys.argv[3:]
    metrics = measure(outdir)
    if check == "measure":
        for mode, m in metrics.items():
            print(summary_line(mode, m))
        if args[:1] == ["--json"]:
            Path(args[1]).write_text(json.dumps(metrics, indent=1) + "\n")
        return 0
    if check == "beats-autonuma":
        slack = float(args[1]) if args[:1] == ["--slack"] else 0.0
        a, k = metrics["aurora"]["integrated_remote_seconds"], metrics["autonuma"]["integrated_remote_seconds"]
        print(f"aurora {a:.3f} remote-s, AutoNUMA {k:.3f} remote-s (slack {slack})")
        return 0 if a <= k + slack else 1
    if check == "converges-faster":
        a, k = metrics["aurora"], metrics["autonuma"]
        print(f"to 95% local: aurora {a['seconds_to_95_local']} s, AutoNUMA {k['seconds_to_95_local']} s; "
              f"pages migrated: aurora {a['pages_migrated']}, AutoNUMA {k['pages_migrated']}")
        if a["seconds_to_95_local"] is None:
            return 1
        faster = k["seconds_to_95_local"] is None or a["seconds_to_95_local"] < k["seconds_to_95_local"]
        return 0 if faster and a["pages_migrated"] <= k["pages_migrated"] else 1
    if check == "no-pingpong":
        m = metrics[args[0]]
        print(f"{args[0]}: {m['pingpong']} ping-pong(s): pages of a process back on a node they left, or the "
              f"coordinator moving a process back ({m['thread_majority_reversals']} thread returns, not counted)")
        return 0 if m["pingpong"] == 0 else 1
    if check == "reverted":
        return 0 if reverted(outdir, args[0]) else 1
    if check == "swapped":
        # Both processes had their threads moved to their memory, no memory moved: in one cycle
        # as a swap when neither node had room for the other's threads, or one after the other
        # when the first found room (its partner's threads not yet running where it went).
        mode = args[0]
        moved, swaps, memory = {}, 0, 0
        for line in (outdir / mode / "journal.jsonl").read_text().splitlines():
            record = json.loads(line) if line.strip() else {}
            if record.get("phase") != "intent":
                continue
            if record.get("kind") == "memory":
                memory += 1
            elif record.get("kind") == "affinity" and "where its memory is" in record.get("summary", ""):
                moved[record["pid"]] = record["summary"]
                swaps += "swapping nodes with pid" in record["summary"]
        for pid, summary in sorted(moved.items()):
            print(f"{mode}: {summary}")
        print(f"{mode}: {len(moved)} process(es) moved to their memory ({swaps} in a swap), {memory} memory move(s)")
        return 0 if len(moved) == 2 and memory == 0 else 1
    if check == "acted":
        m = metrics[args[0]]
        print(f"{args[0]}: {m['coordinator_actions']} coordinator action(s) done")
        return 0 if m["coordinator_actions"] > 0 else 1
    print(f"unknown check {check}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
