#!/usr/bin/env bash
# Page-migration pace: the actuator's pages/s with 1, 2 and 4 move_pages(2) calls in flight, as
# ratios to one call at a time in the same run (bench/migration_pace.cpp), in a 2-node QEMU
# guest (tests/vm/numa-vm: 2 CPUs and 512 MiB a node, AutoNUMA off).
#
#   bench/migration_pace.sh [BUILD_DIR] [ROUNDS] [MIB] [THREADS] [LOAD_THREADS] [EXTRA_ARGS...]
# Defaults: build 3 128 2 0. LOAD_THREADS > 0 adds a second workload busy on the other node
# (every CPU busy, as in the crowded scenario). Prints one line per measurement and a JSON
# summary on the last line.
# Exit 77: no qemu or guest kernel (numa-vm says why).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build}
rounds=${2:-3}
mib=${3:-128}
threads=${4:-2}
load_threads=${5:-0}
shift $(($# < 5 ? $# : 5))  # the rest goes to the benchmark (e.g. --migrate-pages-syscall)
[[ -x $build/bin/aurora_bench_migration_pace ]] || {
  echo "migration_pace: build $build/bin/aurora_bench_migration_pace first" >&2
  exit 2
}
exec "$repo/tests/vm/numa-vm" --nodes 2 --cpus-per-node 2 --mem-per-node 512 --autonuma off \
  --bin-dir "$build/bin" --timeout 900 -- \
  aurora_bench_migration_pace --rounds "$rounds" --mib "$mib" --threads "$threads" --load-threads "$load_threads" "$@"
