#!/usr/bin/env python3
"""The coordinator suite's table from the per-scenario measures (check_scenario.py measure).

    coordinator_table.py RESULTS_DIR --output FILE    markdown table of every scenario and mode
    coordinator_table.py RESULTS_DIR --goal RATIO     exit 1 unless, summed over the suite,
                                                      aurora's integrated remote share <= RATIO x
                                                      AutoNUMA's (every scenario must be present)
"""
import json
import sys
from pathlib import Path

SCENARIOS = ("misplaced", "reverse", "large", "bound", "crowded", "shared", "phases", "crosswise")
MODES = (("aurora", "aurora, AutoNUMA off"), ("autonuma", "AutoNUMA only"), ("both", "both"))


def load(results):
    found = {}
    for scenario in SCENARIOS:
        path = results / f"{scenario}.json"
        if path.exists():
            found[scenario] = json.loads(path.read_text())
    return found


def table(found):
    lines = [
        "| scenario | mode | integrated remote (remote-s) | data pages only (remote-s) | mean remote share | time to 95% local | pages migrated | thread node changes | coordinator actions | work (passes) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for scenario, modes in found.items():
        for mode, label in MODES:
            m = modes.get(mode)
            if m is None:
                continue
            reach = "never" if m["seconds_to_95_local"] is None else f"{m['seconds_to_95_local']:.1f} s"
            data = m.get("data_integrated_remote_seconds")
            data = "-" if data is None else f"{data:.2f}"
            lines.append(f"| {scenario} | {label} | {m['integrated_remote_seconds']:.2f} | {data} | {m['mean_remote_share']:.1%} | "
                         f"{reach} | {m['pages_migrated']} | {m['thread_node_changes']} | {m['coordinator_actions']} | {m.get('work_passes', 0)} |")
    totals = {mode: sum(modes[mode]["integrated_remote_seconds"] for modes in found.values() if mode in modes)
              for mode, _ in MODES}
    lines.append("")
    verdicts = []
    for scenario, modes in found.items():
        if "aurora" in modes and "autonuma" in modes:
            a, k = modes["aurora"]["integrated_remote_seconds"], modes["autonuma"]["integrated_remote_seconds"]
            verdicts.append(f"{scenario} {'met' if a <= k + 0.15 else 'NOT met'} ({a:.2f} vs {k:.2f})")
    lines.append("Goal, aurora's integrated remote share at most AutoNUMA's (+0.15 remote-s noise floor): " +
                 "; ".join(verdicts) + ".")
    lines.append("")
    lines.append("Suite total, integrated remote share: " +
                 ", ".join(f"{label} {totals[mode]:.2f} remote-s" for mode, label in MODES) +
                 (f"; aurora / AutoNUMA = {totals['aurora'] / totals['autonuma']:.2f}" if totals["autonuma"] > 0 else ""))
    data_totals = {mode: sum(modes[mode].get("data_integrated_remote_seconds") or 0 for modes in found.values() if mode in modes)
                   for mode, _ in MODES}
    if data_totals["autonuma"] > 0:
        lines.append("")
        lines.append("Data pages only (anonymous and shared memory; not the page cache of libraries and executables): " +
                     ", ".join(f"{label} {data_totals[mode]:.2f} remote-s" for mode, label in MODES) +
                     f"; aurora / AutoNUMA = {data_totals['aurora'] / data_totals['autonuma']:.2f}")
    return "\n".join(lines) + "\n", totals


def main():
    results = Path(sys.argv[1])
    found = load(results)
    if sys.argv[2] == "--output":
        text, _ = table(found)
        Path(sys.argv[3]).write_text(text)
        missing = [s for s in SCENARIOS if s not in found]
        if missing:
            print(f"no measures for: {', '.join(missing)} (their scenario tests failed or did not run)")
        return 0 if found else 1
    if sys.argv[2] == "--goal":
        ratio = float(sys.argv[3])
        missing = [s for s in SCENARIOS if s not in found]
        if missing:
            print(f"the suite goal needs every scenario; missing: {', '.join(missing)}")
            return 1
        _, totals = table(found)
        print(f"aurora {totals['aurora']:.2f} remote-s vs AutoNUMA {totals['autonuma']:.2f} remote-s "
              f"(goal: at most {ratio:.2f}x)")
        return 0 if totals["aurora"] <= ratio * totals["autonuma"] else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
