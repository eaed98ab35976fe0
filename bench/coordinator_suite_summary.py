#!/usr/bin/env python3
"""Medians of repeated runs of the coordinator scenario suite (bench/coordinator_suite.sh).

    coordinator_suite_summary.py [--markdown FILE] RUN_DIR...

Each RUN_DIR holds one run's SCENARIO.json files, as tests/vm/test_coordinator_scenario.sh
leaves them (build/vm-results/coordinator after `ctest -R vm_coordinator`, or one run-K folder
of the benchmark). One run of a scenario moves by a second or more of remote time under TCG,
more than most of the goals' margins, so the goals are judged here on medians over the runs,
each comparison made within a run (the same boot, the same host load) and counted too.
Prints the table, writes it as markdown with --markdown, and ends with one JSON line.
"""
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "vm"))
from coordinator_table import MODES, SCENARIOS, load  # noqa: E402  (one list of scenarios and modes)

# One ~0.5 s sample at 30% remote: the slack the per-run goal line uses too.
NOISE_FLOOR_REMOTE_SECONDS = 0.15


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def spread(values):
    values = [v for v in values if v is not None]
    return f"{min(values):.2f}-{max(values):.2f}" if values else "-"


def seconds(value):
    return "never" if value is None else f"{value:.1f} s"


def summarise(runs):
    """runs: [{scenario: {mode: measures}}] -> per-scenario medians, counts and the suite."""
    scenarios = {}
    for scenario in SCENARIOS:
        per_run = [run[scenario] for run in runs if scenario in run]
        if not per_run:
            continue
        modes = {}
        for mode, _label in MODES:
            measured = [r[mode] for r in per_run if mode in r]
            if not measured:
                continue
            # A mode that never reached 95% local counts as the whole window for the median.
            to_95 = [m["seconds_to_95_local"] if m["seconds_to_95_local"] is not None else m["window_seconds"]
                     for m in measured]
            modes[mode] = {
                "runs": len(measured),
                "remote": [m["integrated_remote_seconds"] for m in measured],
                "median_remote": median([m["integrated_remote_seconds"] for m in measured]),
                # Runs measured before the sampler kept data pages apart have none.
                "median_data_remote": median([m.get("data_integrated_remote_seconds") for m in measured]),
                "median_to_95": median(to_95),
                "reached_95": sum(1 for m in measured if m["seconds_to_95_local"] is not None),
                "median_pages": median([m["pages_migrated"] for m in measured]),
                "pingpong": sum(m["pingpong"] for m in measured),
            }
        paired = [r for r in per_run if "aurora" in r and "autonuma" in r]
        met_in = sum(1 for r in paired if r["aurora"]["integrated_remote_seconds"] <=
                     r["autonuma"]["integrated_remote_seconds"] + NOISE_FLOOR_REMOTE_SECONDS)
        entry = {"modes": modes, "paired_runs": len(paired), "met_in": met_in}
        if "aurora" in modes and "autonuma" in modes:
            entry["met_by_median"] = (modes["aurora"]["median_remote"] <=
                                      modes["autonuma"]["median_remote"] + NOISE_FLOOR_REMOTE_SECONDS)
        if scenario == "misplaced":
            def faster(r):
                a, k = r["aurora"], r["autonuma"]
                return (a["seconds_to_95_local"] is not None and
                        (k["seconds_to_95_local"] is None or a["seconds_to_95_local"] < k["seconds_to_95_local"]) and
                        a["pages_migrated"] <= k["pages_migrated"])
            entry["converges_faster_in"] = sum(1 for r in paired if faster(r))
        scenarios[scenario] = entry
    # The suite per run (only runs with every scenario), and over the medians.
    complete = [run for run in runs if all(s in run and "aurora" in run[s] and "autonuma" in run[s] for s in SCENARIOS)]
    per_run_ratio = []
    for run in complete:
        aurora = sum(run[s]["aurora"]["integrated_remote_seconds"] for s in SCENARIOS)
        autonuma = sum(run[s]["autonuma"]["integrated_remote_seconds"] for s in SCENARIOS)
        per_run_ratio.append(round(aurora / autonuma, 3) if autonuma > 0 else None)
    medians = {mode: sum(e["modes"][mode]["median_remote"] for e in scenarios.values() if mode in e["modes"])
               for mode, _ in MODES}
    suite = {
        "complete_runs": len(complete),
        "per_run_ratio": per_run_ratio,
        "median_totals": {mode: round(value, 3) for mode, value in medians.items()},
        "ratio_of_medians": round(medians["aurora"] / medians["autonuma"], 3) if medians.get("autonuma") else None,
    }
    return scenarios, suite


def markdown(scenarios, suite, run_count):
    lines = [
        f"Medians over {run_count} run(s); in brackets the range; `met in` counts the runs in which aurora's "
        f"integrated remote share was at most AutoNUMA's (+{NOISE_FLOOR_REMOTE_SECONDS} remote-s) in the same run.",
        "",
        "| scenario | aurora remote-s | AutoNUMA remote-s | both remote-s | goal by median | met in | "
        "data pages only (aurora / AutoNUMA) | time to 95% local (aurora / AutoNUMA) | pages migrated (aurora / AutoNUMA) | "
        "ping-pong (both) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for scenario, e in scenarios.items():
        modes = e["modes"]

        def remote(mode):
            m = modes.get(mode)
            return f"{m['median_remote']:.2f} [{spread(m['remote'])}]" if m else "-"

        def both_ways(key, fmt):
            a, k = modes.get("aurora"), modes.get("autonuma")
            return f"{fmt(a, a[key]) if a else '-'} / {fmt(k, k[key]) if k else '-'}"

        def data(_m, value):
            return "-" if value is None else f"{value:.2f}"

        def reach(m, value):
            # The median counts a run that never got there as the whole window.
            return "never" if 2 * m["reached_95"] <= m["runs"] else seconds(value)

        verdict = "-" if "met_by_median" not in e else ("met" if e["met_by_median"] else "NOT met")
        pingpong = modes["both"]["pingpong"] if "both" in modes else "-"
        lines.append(f"| {scenario} | {remote('aurora')} | {remote('autonuma')} | {remote('both')} | {verdict} | "
                     f"{e['met_in']} of {e['paired_runs']} | {both_ways('median_data_remote', data)} | "
                     f"{both_ways('median_to_95', reach)} | "
                     f"{both_ways('median_pages', lambda _m, v: f'{v:.0f}')} | {pingpong} |")
    lines.append("")
    totals = suite["median_totals"]
    ratio = suite["ratio_of_medians"]
    lines.append(f"Suite, sum of the medians: aurora {totals.get('aurora', 0):.2f}, AutoNUMA "
                 f"{totals.get('autonuma', 0):.2f}, both {totals.get('both', 0):.2f} remote-s; aurora / AutoNUMA = "
                 f"{'-' if ratio is None else f'{ratio:.2f}'} (goal: at most 0.50). Per complete run: "
                 f"{', '.join(f'{r:.2f}' for r in suite['per_run_ratio'] if r is not None) or 'none'}.")
    if "misplaced" in scenarios and "converges_faster_in" in scenarios["misplaced"]:
        e = scenarios["misplaced"]
        lines.append(f"misplaced: aurora reached 95% local before AutoNUMA, migrating no more pages, in "
                     f"{e['converges_faster_in']} of {e['paired_runs']} runs.")
    return "\n".join(lines) + "\n"


def main(argv):
    output = None
    if argv[:1] == ["--markdown"]:
        output, argv = Path(argv[1]), argv[2:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    runs = []
    for directory in argv:
        found = load(Path(directory))
        if found:
            runs.append(found)
        else:
            print(f"{directory}: no scenario measures (SCENARIO.json) there", file=sys.stderr)
    if not runs:
        return 1
    scenarios, suite = summarise(runs)
    text = markdown(scenarios, suite, len(runs))
    print(text, end="")
    if output:
        output.write_text(text)
    print(json.dumps({"runs": len(runs), "scenarios": {
        s: {"met_in": e["met_in"], "paired_runs": e["paired_runs"], "met_by_median": e.get("met_by_median"),
            **{f"median_remote_{mode}": m["median_remote"] for mode, m in e["modes"].items()}}
        for s, e in scenarios.items()}, "suite": suite}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
