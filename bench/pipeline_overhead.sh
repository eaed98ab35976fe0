#!/usr/bin/env bash
# Pipeline overhead: throughput of a context-switch-heavy load (perf bench sched pipe) with the
# monitor attached vs not, alternating runs in one invocation, plus ns per sched_switch call
# from bpf_stats (the monitor's own and an empty tp_btf program's, measured in the same run).
#
#   sudo bench/pipeline_overhead.sh [BUILD_DIR] [ROUNDS] [LOOPS]
# Defaults: build 5 200000. Prints one line per run and a JSON summary on the last line.
set -euo pipefail
build=${1:-build}
rounds=${2:-5}
loops=${3:-200000}
monitor="$build/bin/aurora-numa-monitor"
empty="$build/bin/aurora_bench_empty_switch"
[[ $(id -u) -eq 0 ]] || { echo "pipeline_overhead: needs root (BPF)" >&2; exit 2; }
[[ -x $monitor && -x $empty ]] || { echo "pipeline_overhead: build $monitor and $empty first" >&2; exit 2; }
command -v perf >/dev/null || { echo "pipeline_overhead: perf (linux-perf) is needed" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ops_per_sec() {  # perf bench sched pipe prints "  <N> ops/sec"
  perf bench sched pipe -l "$loops" 2>/dev/null | awk '/ops\/sec/ {print $1}'
}

base=()
with=()
for round in $(seq 1 "$rounds"); do
  base+=("$(ops_per_sec)")
  rec="$work/rec-$round.jsonl"
  "$monitor" --log-level warn record --output "$rec" --interval 60 --bpf-stats &
  pid=$!
  # Attached once the header is written (the pipeline has started).
  for _ in $(seq 1 100); do [[ -s $rec ]] && break; sleep 0.1; done
  with+=("$(ops_per_sec)")
  kill -INT "$pid"
  wait "$pid"
  echo "round $round: baseline ${base[-1]} ops/s, monitored ${with[-1]} ops/s"
done
"$empty" 3 >"$work/empty.json"

python3 - "$work" "${base[*]}" "${with[*]}" <<'PY'
import glob, json, statistics, sys
work, base, with_ = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
runs = calls = 0
for path in sorted(glob.glob(f"{work}/rec-*.jsonl")):
    for line in open(path):
        record = json.loads(line)
        if record.get("type") != "snapshot":
            continue
        for program in record["self"]["bpf_programs"]:
            if program["name"].endswith("/sched_switch"):
                calls += program["run_count"]
                runs += program["run_time_ns"]
empty = json.load(open(f"{work}/empty.json"))
ratios = [w / b for w, b in zip(with_, base)]
summary = {
    "baseline_ops_per_sec_mean": round(statistics.mean(base)),
    "monitored_ops_per_sec_mean": round(statistics.mean(with_)),
    "throughput_ratio_mean": round(statistics.mean(with_) / statistics.mean(base), 4),
    "throughput_ratio_median_of_pairs": round(statistics.median(ratios), 4),
    "sched_switch_calls": calls,
    "sched_switch_ns_per_call": round(runs / calls, 1) if calls else None,
    "empty_tp_btf_ns_per_call": empty["ns_per_call"],
}
print(json.dumps(summary))
PY
