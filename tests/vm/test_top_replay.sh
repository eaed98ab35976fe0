#!/usr/bin/env bash
# The dashboard on a recording made in the 2-node guest (vm_record_replay keeps it): multi-node
# rendering tested on this one-node host, in batch mode and in a real terminal (tmux).
set -uo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"
recording="${AURORA_VM_RECORDINGS_DIR:?}/two_node_autonuma.jsonl"
monitor="${AURORA_VM_BIN_DIR:?}/aurora-numa-monitor"
if [[ ! -s "$recording" ]]; then
  echo "FAIL: $recording is missing: vm_record_replay did not produce it"
  exit 1
fi
out=$(mktemp -d "${TMPDIR:-/tmp}/vm-top-replay.XXXXXX")
session="aurora-vm-top-$$"
trap 'tmux kill-session -t "$session" 2>/dev/null; rm -rf "$out"' EXIT

"$monitor" top --replay "$recording" -b --width 160 >"$out/batch.txt" 2>"$out/batch.err"
status=$?
check "batch replay exits 0 (status $status)" test "$status" -eq 0
check "batch: a bar for node 0" grep -q '^N0  CPU\[' "$out/batch.txt"
check "batch: a bar for node 1" grep -q '^N1  CPU\[' "$out/batch.txt"
# The workload ran its threads on node 1: some screen shows its row with HOME 1.
check "batch: the workload's row, home node 1" \
  grep -qE '^ +[0-9]+ aurora-numa-wor +/ +[0-9]+ +[0-9.]+ +1 ' "$out/batch.txt"
check "batch: no error output" test ! -s "$out/batch.err"

# At 120 columns the command name is cut to fit ("aurora-num~").
workload_row='^ +[0-9]+ aurora-num[a-z~-]* +/ +[0-9]+ +[0-9.]+ +1 '
tmux new-session -d -s "$session" -x 120 -y 30 "$monitor top --replay '$recording' --interval 0.2"
screen=""
for _ in $(seq 50); do
  sleep 0.2
  screen=$(tmux capture-pane -t "$session" -p 2>/dev/null)
  grep -qE "$workload_row" <<<"$screen" && break
done
printf '%s\n' "$screen" >"$out/screen.txt"
check "tmux: node 0 and node 1 bars" grep -q '^N1  CPU\[' "$out/screen.txt"
check "tmux: the workload's row, home node 1" grep -qE "$workload_row" "$out/screen.txt"
tmux send-keys -t "$session" q
for _ in $(seq 25); do
  tmux has-session -t "$session" 2>/dev/null || break
  sleep 0.2
done
check "tmux: q exits the dashboard" bash -c "! tmux has-session -t '$session' 2>/dev/null"
finish
