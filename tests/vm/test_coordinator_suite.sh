#!/usr/bin/env bash
# The coordinator suite's table (docs/performance.md) from the measures the scenario tests left
# in $AURORA_VM_RESULTS_DIR/coordinator/, and the suite-wide goal: aurora's integrated remote
# share over all scenarios is at most half of AutoNUMA's. No guest of its own.
set -uo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"
results="${AURORA_VM_RESULTS_DIR:-$vm_dir/../../build/vm-results}/coordinator"
check "suite table written ($results/table.md)" "$vm_python" "$vm_dir/coordinator_table.py" "$results" --output "$results/table.md"
cat "$results/table.md" 2>/dev/null
goal "over the suite aurora's remote share is at most half of AutoNUMA's" "$vm_python" "$vm_dir/coordinator_table.py" "$results" --goal 0.5
finish
