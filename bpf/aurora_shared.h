/* The BPF <-> userspace contract: every struct, key and constant both sides use.
 *
 * Included by the BPF programs (after vmlinux.h) and by userspace C++ (after <linux/types.h>).
 * Only fixed-width kernel types (__u32/__u64/__s32) appear here so both compilers lay the
 * structs out identically.
 */
#ifndef AURORA_SHARED_H
#define AURORA_SHARED_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Upper bounds sized for the largest machines we support (256 CPUs per node is not a limit;
 * these bound map sizes, not the topology). */
#define AURORA_MAX_CPUS 1024
#define AURORA_MAX_NODES 64

/* Feature probe: one program per kernel facility the pipeline may use. The index is the
 * position in the probe report. */
enum aurora_probe_id {
  AURORA_PROBE_TP_BTF_SCHED_SWITCH = 0,
  AURORA_PROBE_RAW_TP_SCHED_SWITCH,
  AURORA_PROBE_FENTRY_TASK_NUMA_FAULT,
  AURORA_PROBE_TP_SCHED_MOVE_NUMA,
  AURORA_PROBE_TP_SCHED_SWAP_NUMA,
  AURORA_PROBE_TP_SCHED_STICK_NUMA,
  AURORA_PROBE_TP_MM_MIGRATE_PAGES,
  AURORA_PROBE_COUNT,
};

#endif /* AURORA_SHARED_H */
