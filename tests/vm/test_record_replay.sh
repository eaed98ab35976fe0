#!/usr/bin/env bash
# Two nodes, AutoNUMA on, one boot: a recording made in the guest (the pipeline scenario of
# test_two_node_pipeline.sh) replayed on the host by the host's own monitor, without root or
# BPF, shows the same per-process and per-node figures as the recorded lines. The recording is
# kept as a multi-node test asset: $AURORA_VM_RECORDINGS_DIR/two_node_autonuma.jsonl
# (build/vm-recordings/ from ctest; docs/vm-tests.md).
set -uo pipefail
source "$(dirname "$(readlink -f "$0")")/lib.sh"
out=$(mktemp -d "${TMPDIR:-/tmp}/vm-record-replay.XXXXXX")
trap 'rm -rf "$out"' EXIT
monitor="${AURORA_VM_BIN_DIR:-$vm_dir/../../build/bin}/aurora-numa-monitor"

vm_boot "$out" --nodes 2 --cpus-per-node 2 --mem-per-node 512 --autonuma on \
  --add "$vm_dir/guest" -- sh /add/guest/pipeline-scenario.sh /out/recording.jsonl
status=$?
check "guest command ran (status $status)" test "$status" -eq 0
check "record exits 0" grep -qx 0 "$out/record.rc"
pid=$(cat "$out/workload.pid" 2>/dev/null || echo 0)
# The host side runs as whoever runs ctest: replay must need neither root nor BPF. When the
# tests run as root, drop to nobody so that claim is what is tested.
replay=("$monitor" replay "$out/recording.jsonl" --json)
if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null; then
  chmod 755 "$out" && chmod 644 "$out/recording.jsonl"
  replay=(setpriv --reuid=65534 --regid=65534 --clear-groups "${replay[@]}")
fi
"${replay[@]}" >"$out/replay.jsonl" 2>"$out/replay.err"
replay_status=$?
cat "$out/replay.err"
check "host replay exits 0 (status $replay_status)" test "$replay_status" -eq 0
check "host replay: same figures as the recorded lines, workload pid $pid included" "$vm_python" "$vm_dir/check_replay.py" "$out/recording.jsonl" "$out/replay.jsonl" "$pid"
if [[ -n ${AURORA_VM_RECORDINGS_DIR:-} && -s $out/recording.jsonl ]]; then
  mkdir -p "$AURORA_VM_RECORDINGS_DIR"
  cp "$out/recording.jsonl" "$AURORA_VM_RECORDINGS_DIR/two_node_autonuma.jsonl.tmp" &&
    mv "$AURORA_VM_RECORDINGS_DIR/two_node_autonuma.jsonl.tmp" "$AURORA_VM_RECORDINGS_DIR/two_node_autonuma.jsonl" &&
    echo "kept the recording: $AURORA_VM_RECORDINGS_DIR/two_node_autonuma.jsonl"
fi
finish
