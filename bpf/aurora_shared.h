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


/* ---- Locality pipeline (bpf/locality.bpf.c) ---------------------------------------------- */

/* log2 buckets of runqueue wait in nanoseconds: bucket b counts waits in [2^b, 2^(b+1)) ns,
 * bucket 0 also holds 0-1 ns, the last bucket everything above. */
#define AURORA_RQ_BUCKETS 32
#define AURORA_COMM_LEN 16
/* migrate:mm_migrate_pages reasons (enum migrate_reason); larger values share the last slot. */
#define AURORA_MIGRATE_REASONS 16

/* Per-thread CPU time is kept per "node slot": userspace numbers the nodes that have CPUs
 * densely (sparse ids and memory-only nodes take no slot) and passes cpu -> slot in rodata.
 * 16 slots keep a thread entry at 4 cache lines, which is what the sched_switch cost is made
 * of (a 64-slot array made every lookup a TLB and cache miss on a loaded host). */
#define AURORA_NODE_SLOTS 16

/* One thread's cumulative counters since it was first seen; key: tid. Userspace takes deltas
 * between snapshots; start_time_ns tells a reused tid apart from its predecessor. The fields
 * sched_switch touches come first. */
struct aurora_thread_stats {
  __u32 tid;
  __u32 tgid;
  __u64 run_delay_seen_ns;  /* task->sched_info.run_delay at its last switch-out */
  __u64 voluntary_switches;
  __u64 involuntary_switches;
  __u64 runqueue_wait_ns;
  __u32 last_cpu;
  __u32 last_node;
  __u64 cpu_ns_by_slot[AURORA_NODE_SLOTS];
  __u64 start_time_ns;      /* task->start_time (CLOCK_MONOTONIC) */
  __u64 migrations;
  __u64 cross_llc_migrations;
  __u64 cross_node_migrations;
  __u64 numa_faults_local;  /* pages, from fentry/task_numa_fault */
  __u64 numa_faults_remote;
  __u64 numa_moves;         /* sched_move_numa + sched_swap_numa involving this thread */
  __u64 numa_stick;         /* sched_stick_numa: AutoNUMA wanted to move it and could not */
  __u64 pages_migrated;     /* mm_migrate_pages succeeded, while this thread was current */
  char comm[AURORA_COMM_LEN];
};

/* Per node, per CPU (a PERCPU_ARRAY indexed by node id), for events whose node is not the
 * CPU's own (a fault's memory node, a move's destination): summed over CPUs by userspace. */
struct aurora_node_stats {
  __u64 numa_faults_local;  /* hinting-fault pages on this node's memory, local to the task */
  __u64 numa_faults_remote; /* hinting-fault pages on this node's memory, from another node */
  __u64 numa_moves_in;      /* AutoNUMA moved or swapped a task onto this node */
  __u64 pages_migrated_in;  /* fentry/task_numa_fault with TNF_MIGRATED: pages now here */
  __u64 task_migrations_in; /* sched_migrate_task with a destination CPU on this node */
};

/* Each CPU's own figures (PERCPU_ARRAY, one entry), the only map sched_switch always touches
 * besides the thread map; userspace sums them by node. last_switch_ns/current_tid also let
 * userspace add the slice in progress, so a thread that never switches out is not idle. */
struct aurora_cpu_state {
  __u64 last_switch_ns;     /* 0 until the first sched_switch after attach */
  __u32 current_tid;        /* 0: idle */
  __u32 current_tracked;    /* 1 when current_tid has an entry in the thread map */
  __u64 busy_ns;            /* on-CPU time of non-idle tasks (all tasks, not only in scope) */
  __u64 context_switches;   /* sched_switch calls (all tasks) */
  __u64 runqueue_wait_ns;   /* in-scope tasks only */
  __u64 runqueue_wait_hist[AURORA_RQ_BUCKETS];
};

/* Global per-CPU counters (PERCPU_ARRAY indexed by this enum). */
enum aurora_counter {
  AURORA_COUNTER_EVENTS_LOST = 0,     /* ring-buffer reserves that failed */
  AURORA_COUNTER_THREADS_DROPPED,     /* thread-map inserts that failed (map full) */
  AURORA_COUNTER_SWITCHES,            /* every sched_switch the program saw */
  AURORA_COUNTER_MIGRATIONS,          /* in-scope sched_migrate_task */
  AURORA_COUNTER_CROSS_LLC,
  AURORA_COUNTER_CROSS_NODE,
  AURORA_COUNTER_COUNT,
};

/* Ring-buffer records: discrete events only. Every record starts with the header. */
enum aurora_event_kind {
  AURORA_EVENT_EXEC = 1,
  AURORA_EVENT_EXIT = 2,        /* carries the thread's final counters */
  AURORA_EVENT_NUMA_MOVE = 3,   /* sched_move_numa */
  AURORA_EVENT_NUMA_SWAP = 4,   /* sched_swap_numa */
  AURORA_EVENT_NUMA_STICK = 5,  /* sched_stick_numa */
  AURORA_EVENT_PAGES_MIGRATED = 6, /* mm_migrate_pages */
  AURORA_EVENT_CROSS_NODE_MIGRATION = 7, /* sched_migrate_task across nodes */
};

struct aurora_event_header {
  __u32 kind;
  __u32 cpu;
  __u64 timestamp_ns;           /* bpf_ktime_get_ns() */
};

struct aurora_exec_event {
  struct aurora_event_header header;
  __u32 tid;
  __u32 tgid;
  char comm[AURORA_COMM_LEN];
};

struct aurora_exit_event {
  struct aurora_event_header header;
  struct aurora_thread_stats stats;
};

/* AutoNUMA decisions and task migrations: src/dst task ids, CPUs and nodes (-1: none). */
struct aurora_move_event {
  struct aurora_event_header header;
  __u32 src_tid;
  __u32 src_tgid;
  __s32 src_cpu;
  __s32 src_node;
  __u32 dst_tid;
  __u32 dst_tgid;
  __s32 dst_cpu;
  __s32 dst_node;
};

struct aurora_pages_event {
  struct aurora_event_header header;
  __u32 tid;
  __u32 tgid;
  __u64 succeeded;
  __u64 failed;
  __u32 reason;                 /* enum migrate_reason */
  __u32 mode;                   /* enum migrate_mode */
};

#endif /* AURORA_SHARED_H */
