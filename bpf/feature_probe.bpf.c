// SPDX-License-Identifier: GPL-2.0
/* Feature probe: the smallest program for each attach point the pipeline may use.
 *
 * Userspace enables one program at a time (bpf_program__set_autoload), loads and attaches it;
 * whether that works on the running kernel is the answer. Each program counts its hits so the
 * probe also proves the attach point fires, not only that it attached.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "aurora_shared.h"

char LICENSE[] SEC("license") = "GPL";

__u64 probe_hits[AURORA_PROBE_COUNT] = {};

static __always_inline void hit(int id) { __sync_fetch_and_add(&probe_hits[id], 1); }

SEC("tp_btf/sched_switch")
int BPF_PROG(probe_tp_btf_sched_switch, bool preempt, struct task_struct *prev,
             struct task_struct *next) {
  hit(AURORA_PROBE_TP_BTF_SCHED_SWITCH);
  return 0;
}

SEC("raw_tp/sched_switch")
int probe_raw_tp_sched_switch(void *ctx) {
  hit(AURORA_PROBE_RAW_TP_SCHED_SWITCH);
  return 0;
}

SEC("fentry/task_numa_fault")
int BPF_PROG(probe_fentry_task_numa_fault, int last_cpupid, int mem_node, int pages, int flags) {
  hit(AURORA_PROBE_FENTRY_TASK_NUMA_FAULT);
  return 0;
}

SEC("tracepoint/sched/sched_move_numa")
int probe_tp_sched_move_numa(void *ctx) {
  hit(AURORA_PROBE_TP_SCHED_MOVE_NUMA);
  return 0;
}

SEC("tracepoint/sched/sched_swap_numa")
int probe_tp_sched_swap_numa(void *ctx) {
  hit(AURORA_PROBE_TP_SCHED_SWAP_NUMA);
  return 0;
}

SEC("tracepoint/sched/sched_stick_numa")
int probe_tp_sched_stick_numa(void *ctx) {
  hit(AURORA_PROBE_TP_SCHED_STICK_NUMA);
  return 0;
}

SEC("tracepoint/migrate/mm_migrate_pages")
int probe_tp_mm_migrate_pages(void *ctx) {
  hit(AURORA_PROBE_TP_MM_MIGRATE_PAGES);
  return 0;
}
