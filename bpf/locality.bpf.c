// SPDX-License-Identifier: GPL-2.0
/* The locality pipeline's kernel side: per-thread on-CPU time by node, switches, runqueue
 * wait, migrations, thread lifecycle and AutoNUMA activity.
 *
 * Cost model: counters live in per-thread (hash) and per-CPU (array) maps that userspace reads
 * at each snapshot; only discrete, rare events (exec, exit, AutoNUMA decisions, cross-node
 * migrations, page migrations) go through the ring buffer, always with BPF_RB_NO_WAKEUP (a
 * wakeup from inside sched_switch causes more switches) and a timed consume in userspace.
 *
 * The scheduler events have two twins: tp_btf (preferred) and raw_tp (when BTF-typed
 * tracepoints are missing; BPF_PROG_TEST_RUN can also drive raw_tp programs). Userspace
 * enables one twin of each with bpf_program__set_autoload() before load. Both twins call the
 * same handler and read task fields with CO-RE probe reads, so either context works.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "aurora_shared.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by userspace between open and load (rodata: the verifier prunes unused filter code). */
const volatile __u32 filter_tgid = 0;           /* 0: every process */
const volatile __u64 filter_cgroup_id = 0;      /* 0: every cgroup; else a cgroup's kernfs id */
const volatile __u32 filter_cgroup_level = 0;   /* depth of that cgroup below its root */
const volatile __s32 filter_cgroup_subsys = -1; /* -1: cgroup v2; else a v1 cgroup_subsys_id */
const volatile __u32 cpu_node[AURORA_MAX_CPUS] = {}; /* OS node id */
const volatile __u32 cpu_slot[AURORA_MAX_CPUS] = {}; /* node slot (aurora_shared.h) */
const volatile __u32 cpu_llc[AURORA_MAX_CPUS] = {};

#define PF_EXITING 0x00000004 /* include/linux/sched.h */
#define TNF_MIGRATED 0x01
#define TNF_FAULT_LOCAL 0x08

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384); /* userspace may resize before load */
  __type(key, __u32);
  __type(value, struct aurora_thread_stats);
} threads SEC(".maps");

/* Never written: the all-zero value a new thread entry starts from (the struct is too large to
 * build on the BPF stack). */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct aurora_thread_stats);
} empty_thread SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, AURORA_MAX_NODES);
  __type(key, __u32);
  __type(value, struct aurora_node_stats);
} node_stats SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct aurora_cpu_state);
} cpu_state SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, AURORA_COUNTER_COUNT);
  __type(key, __u32);
  __type(value, __u64);
} counters SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, AURORA_MIGRATE_REASONS);
  __type(key, __u32);
  __type(value, __u64);
} pages_by_reason SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 1 << 20); /* userspace may resize before load */
} events SEC(".maps");

static __always_inline __u32 node_of(__u32 cpu) {
  return cpu_node[cpu & (AURORA_MAX_CPUS - 1)] & (AURORA_MAX_NODES - 1);
}

static __always_inline __u32 slot_of(__u32 cpu) {
  return cpu_slot[cpu & (AURORA_MAX_CPUS - 1)] & (AURORA_NODE_SLOTS - 1);
}

static __always_inline __u32 llc_of(__u32 cpu) { return cpu_llc[cpu & (AURORA_MAX_CPUS - 1)]; }

static __always_inline void count(__u32 counter) {
  __u64 *value = bpf_map_lookup_elem(&counters, &counter);
  if (value) *value += 1;
}

static __always_inline bool filtering(void) { return filter_tgid != 0 || filter_cgroup_id != 0; }

/* The cgroup `task` belongs to in the filtered hierarchy (v2, or one v1 controller's). */
static __always_inline struct cgroup *filtered_cgroup_of(struct task_struct *task) {
  if (filter_cgroup_subsys < 0) return BPF_CORE_READ(task, cgroups, dfl_cgrp);
  struct css_set *cset = BPF_CORE_READ(task, cgroups);
  struct cgroup_subsys_state *css = NULL;
  __u32 index = (__u32)filter_cgroup_subsys & 15;
  bpf_probe_read_kernel(&css, sizeof(css),
                        (void *)cset + bpf_core_field_offset(struct css_set, subsys) +
                            index * sizeof(void *));
  return css ? BPF_CORE_READ(css, cgroup) : NULL;
}

/* Whether `task` is inside the configured scope: its process, and/or its cgroup's subtree
 * (the ancestor at the filter's level is the filter cgroup: descendants are included). */
static __always_inline bool task_in_scope(struct task_struct *task) {
  if (filter_tgid != 0 && (__u32)BPF_CORE_READ(task, tgid) != filter_tgid) return false;
  if (filter_cgroup_id != 0) {
    struct cgroup *cgroup = filtered_cgroup_of(task);
    if (!cgroup) return false;
    int level = BPF_CORE_READ(cgroup, level);
    if (level < (int)filter_cgroup_level) return false;
    struct cgroup *ancestor = NULL;
    bpf_probe_read_kernel(&ancestor, sizeof(ancestor),
                          (void *)cgroup + bpf_core_field_offset(struct cgroup, ancestors) +
                              (filter_cgroup_level & 0xffff) * sizeof(void *));
    if (!ancestor) return false;
    if (BPF_CORE_READ(ancestor, kn, id) != filter_cgroup_id) return false;
  }
  return true;
}

static __always_inline struct aurora_thread_stats *known_thread_entry(__u32 tid) {
  return bpf_map_lookup_elem(&threads, &tid);
}

/* The thread's entry, created when the thread is in scope and not yet known. */
static __always_inline struct aurora_thread_stats *thread_entry(struct task_struct *task,
                                                                __u32 tid) {
  struct aurora_thread_stats *stats = bpf_map_lookup_elem(&threads, &tid);
  if (stats || tid == 0) return stats;
  /* An exiting thread can still be woken or switched in after sched_process_exit freed its
   * entry; recreating it then would leak the entry. */
  if (BPF_CORE_READ(task, flags) & PF_EXITING) return NULL;
  if (!task_in_scope(task)) return NULL;
  __u32 zero = 0;
  struct aurora_thread_stats *empty = bpf_map_lookup_elem(&empty_thread, &zero);
  if (!empty) return NULL;
  long err = bpf_map_update_elem(&threads, &tid, empty, BPF_NOEXIST);
  if (err == -17 /* EEXIST: another CPU created it first */) return known_thread_entry(tid);
  if (err != 0) {
    count(AURORA_COUNTER_THREADS_DROPPED);
    return NULL;
  }
  stats = bpf_map_lookup_elem(&threads, &tid);
  if (!stats) return NULL;
  stats->tid = tid;
  stats->tgid = BPF_CORE_READ(task, tgid);
  stats->start_time_ns = BPF_CORE_READ(task, start_time);
  stats->last_cpu = BPF_CORE_READ(task, thread_info.cpu);
  stats->last_node = node_of(stats->last_cpu);
  stats->run_delay_seen_ns = BPF_CORE_READ(task, sched_info.run_delay);
  bpf_core_read_str(stats->comm, sizeof(stats->comm), &task->comm);
  return stats;
}

static __always_inline struct aurora_thread_stats *known_thread(__u32 tid) {
  return known_thread_entry(tid);
}

static __always_inline __u32 log2_bucket(__u64 value) {
  __u32 bucket = 0;
  if (value >> 32) { value >>= 32; bucket += 32; }
  if (value >> 16) { value >>= 16; bucket += 16; }
  if (value >> 8) { value >>= 8; bucket += 8; }
  if (value >> 4) { value >>= 4; bucket += 4; }
  if (value >> 2) { value >>= 2; bucket += 2; }
  if (value >> 1) bucket += 1;
  return bucket < AURORA_RQ_BUCKETS ? bucket : AURORA_RQ_BUCKETS - 1;
}

static __always_inline void *reserve(__u64 size, __u32 kind) {
  struct aurora_event_header *header = bpf_ringbuf_reserve(&events, size, 0);
  if (!header) {
    count(AURORA_COUNTER_EVENTS_LOST);
    return NULL;
  }
  header->kind = kind;
  header->cpu = bpf_get_smp_processor_id();
  header->timestamp_ns = bpf_ktime_get_ns();
  return header;
}

/* ---- sched_switch: on-CPU time, switches, runqueue wait --------------------------------- */

/* prev_tid/next_tid/prev_run_delay are read by the caller: directly in tp_btf (trusted BTF
 * pointers, plain loads), through CO-RE probe reads in raw_tp. `next` is only dereferenced to
 * create an entry.
 *
 * Runqueue wait comes from the scheduler's own sched_info.run_delay (the sum of the task's
 * waits, updated when it arrives on a CPU): at switch-out the growth since the previous
 * switch-out is the wait before this slice. That needs no sched_wakeup program, which halves
 * the work per context switch. */
static __always_inline int on_switch(bool preempt, __u32 prev_tid, __u32 next_tid,
                                     struct task_struct *next, unsigned int prev_state,
                                     __u64 prev_run_delay) {
  __u64 now = bpf_ktime_get_ns();
  __u32 zero = 0;
  struct aurora_cpu_state *state = bpf_map_lookup_elem(&cpu_state, &zero);
  if (!state) return 0;

  /* The slice that ends now began at this CPU's previous switch (unknown before the first). */
  __u64 slice = state->last_switch_ns ? now - state->last_switch_ns : 0;
  state->context_switches += 1;
  if (prev_tid != 0) state->busy_ns += slice;
  __u32 cpu = bpf_get_smp_processor_id();

  /* current_tracked says whether prev has an entry: no hash lookup for untracked tasks. */
  struct aurora_thread_stats *outgoing =
      prev_tid && state->current_tracked ? known_thread(prev_tid) : NULL;
  if (outgoing) {
    outgoing->cpu_ns_by_slot[slot_of(cpu)] += slice;
    /* Still runnable when switched out (TASK_RUNNING == 0): it was preempted. */
    if (preempt || prev_state == 0)
      outgoing->involuntary_switches += 1;
    else
      outgoing->voluntary_switches += 1;
    if (prev_run_delay > outgoing->run_delay_seen_ns) {
      __u64 wait = prev_run_delay - outgoing->run_delay_seen_ns;
      outgoing->runqueue_wait_ns += wait;
      state->runqueue_wait_ns += wait;
      state->runqueue_wait_hist[log2_bucket(wait) & (AURORA_RQ_BUCKETS - 1)] += 1;
    }
    outgoing->run_delay_seen_ns = prev_run_delay;
  }

  struct aurora_thread_stats *incoming = next_tid ? thread_entry(next, next_tid) : NULL;
  if (incoming) {
    incoming->last_cpu = cpu;
    incoming->last_node = node_of(cpu);
  }
  state->last_switch_ns = now;
  state->current_tid = next_tid;
  state->current_tracked = incoming != NULL;
  return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next,
             unsigned int prev_state) {
  return on_switch(preempt, prev->pid, next->pid, next, prev_state, prev->sched_info.run_delay);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next,
             unsigned int prev_state) {
  return on_switch(preempt, BPF_CORE_READ(prev, pid), BPF_CORE_READ(next, pid), next,
                   prev_state, BPF_CORE_READ(prev, sched_info.run_delay));
}

/* ---- sched_migrate_task: migrations, cross-LLC and cross-node ---------------------------- */

static __always_inline int on_migrate(struct task_struct *task, int dest_cpu) {
  __u32 tid = BPF_CORE_READ(task, pid);
  struct aurora_thread_stats *stats = known_thread(tid);
  if (!stats || dest_cpu < 0) return 0;
  __u32 orig_cpu = BPF_CORE_READ(task, thread_info.cpu);
  __u32 orig_node = node_of(orig_cpu);
  __u32 dest_node = node_of(dest_cpu);
  stats->migrations += 1;
  if (llc_of(orig_cpu) != llc_of(dest_cpu)) stats->cross_llc_migrations += 1;
  struct aurora_node_stats *dest_totals = bpf_map_lookup_elem(&node_stats, &dest_node);
  if (dest_totals) dest_totals->task_migrations_in += 1;
  if (orig_node != dest_node) {
    stats->cross_node_migrations += 1;
    struct aurora_move_event *event =
        reserve(sizeof(*event), AURORA_EVENT_CROSS_NODE_MIGRATION);
    if (event) {
      event->src_tid = tid;
      event->src_tgid = stats->tgid;
      event->src_cpu = orig_cpu;
      event->src_node = orig_node;
      event->dst_tid = tid;
      event->dst_tgid = stats->tgid;
      event->dst_cpu = dest_cpu;
      event->dst_node = dest_node;
      bpf_ringbuf_submit(event, BPF_RB_NO_WAKEUP);
    }
  }
  return 0;
}

SEC("tp_btf/sched_migrate_task")
int BPF_PROG(migrate_btf, struct task_struct *task, int dest_cpu) {
  return on_migrate(task, dest_cpu);
}

SEC("raw_tp/sched_migrate_task")
int BPF_PROG(migrate_raw, struct task_struct *task, int dest_cpu) {
  return on_migrate(task, dest_cpu);
}

/* ---- lifecycle: fork, exec, exit --------------------------------------------------------- */

static __always_inline int on_fork(struct task_struct *child) {
  thread_entry(child, BPF_CORE_READ(child, pid));
  return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(fork_btf, struct task_struct *parent, struct task_struct *child) {
  return on_fork(child);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(fork_raw, struct task_struct *parent, struct task_struct *child) {
  return on_fork(child);
}

static __always_inline int on_exec(struct task_struct *task, __u32 old_tid) {
  __u32 tid = BPF_CORE_READ(task, pid);
  /* A non-leader thread that execs takes over the leader's tid: drop its old key so it
   * cannot outlive the thread (the new key is created at its next switch-in). */
  if (old_tid != tid) bpf_map_delete_elem(&threads, &old_tid);
  struct aurora_thread_stats *stats = known_thread(tid);
  if (!stats) return 0;
  bpf_core_read_str(stats->comm, sizeof(stats->comm), &task->comm);
  struct aurora_exec_event *event = reserve(sizeof(*event), AURORA_EVENT_EXEC);
  if (event) {
    event->tid = tid;
    event->tgid = stats->tgid;
    __builtin_memcpy(event->comm, stats->comm, sizeof(event->comm));
    bpf_ringbuf_submit(event, BPF_RB_NO_WAKEUP);
  }
  return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_btf, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm) {
  return on_exec(task, old_pid);
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(exec_raw, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm) {
  return on_exec(task, old_pid);
}

/* The exiting thread is current: its slice in progress is added here (its last switch-out
 * finds no entry), its final counters go to userspace in the exit event, and its entry is
 * freed, so the map does not grow with short-lived threads. */
static __always_inline int on_exit(struct task_struct *task) {
  __u32 tid = BPF_CORE_READ(task, pid);
  struct aurora_thread_stats *stats = known_thread(tid);
  if (!stats) return 0;
  __u32 zero = 0;
  struct aurora_cpu_state *state = bpf_map_lookup_elem(&cpu_state, &zero);
  if (state && state->last_switch_ns != 0 && state->current_tid == tid) {
    __u64 now = bpf_ktime_get_ns();
    stats->cpu_ns_by_slot[slot_of(bpf_get_smp_processor_id())] += now - state->last_switch_ns;
    /* Node busy time is charged at the final switch from the CPU's own timestamp; only the
     * per-thread part moves here. */
    state->current_tracked = 0;
  }
  /* Deleted before the event is visible, so userspace never sees a thread both in the map
   * and in an exit event. */
  struct aurora_exit_event *event = reserve(sizeof(*event), AURORA_EVENT_EXIT);
  if (event) bpf_probe_read_kernel(&event->stats, sizeof(event->stats), stats);
  bpf_map_delete_elem(&threads, &tid);
  if (event) bpf_ringbuf_submit(event, BPF_RB_NO_WAKEUP);
  return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_btf, struct task_struct *task) { return on_exit(task); }

SEC("raw_tp/sched_process_exit")
int BPF_PROG(exit_raw, struct task_struct *task) { return on_exit(task); }

/* ---- AutoNUMA decisions: classic tracepoints ---------------------------------------------- */

static __always_inline bool tid_in_scope(__u32 tid) {
  return !filtering() || known_thread(tid) != NULL;
}

static __always_inline void numa_moved(__u32 tid, __s32 dst_node) {
  struct aurora_thread_stats *stats = known_thread(tid);
  if (stats) stats->numa_moves += 1;
  if (dst_node >= 0) {
    __u32 node = dst_node & (AURORA_MAX_NODES - 1);
    struct aurora_node_stats *totals = bpf_map_lookup_elem(&node_stats, &node);
    if (totals) totals->numa_moves_in += 1;
  }
}

static __always_inline void emit_move(__u32 kind, __u32 src_tid, __u32 src_tgid, int src_cpu,
                                      int src_node, __u32 dst_tid, __u32 dst_tgid, int dst_cpu,
                                      int dst_node) {
  struct aurora_move_event *event = reserve(sizeof(*event), kind);
  if (!event) return;
  event->src_tid = src_tid;
  event->src_tgid = src_tgid;
  event->src_cpu = src_cpu;
  event->src_node = src_node;
  event->dst_tid = dst_tid;
  event->dst_tgid = dst_tgid;
  event->dst_cpu = dst_cpu;
  event->dst_node = dst_node;
  bpf_ringbuf_submit(event, BPF_RB_NO_WAKEUP);
}

/* Tracepoint contexts are read into locals first: the verifier refuses a load through a
 * context pointer the compiler has offset. */
SEC("tracepoint/sched/sched_move_numa")
int move_numa(struct trace_event_raw_sched_move_numa *ctx) {
  __u32 pid = ctx->pid, tgid = ctx->tgid;
  int src_cpu = ctx->src_cpu, src_nid = ctx->src_nid, dst_cpu = ctx->dst_cpu,
      dst_nid = ctx->dst_nid;
  barrier_var(pid);
  if (!tid_in_scope(pid)) return 0;
  numa_moved(pid, dst_nid);
  emit_move(AURORA_EVENT_NUMA_MOVE, pid, tgid, src_cpu, src_nid, pid, tgid, dst_cpu, dst_nid);
  return 0;
}

struct numa_pair {
  __u32 src_pid, src_tgid, dst_pid, dst_tgid;
  int src_cpu, src_nid, dst_cpu, dst_nid;
};

static __always_inline void read_pair(struct trace_event_raw_sched_numa_pair_template *ctx,
                                      struct numa_pair *pair) {
  pair->src_pid = ctx->src_pid;
  pair->src_tgid = ctx->src_tgid;
  pair->src_cpu = ctx->src_cpu;
  pair->src_nid = ctx->src_nid;
  pair->dst_pid = ctx->dst_pid;
  pair->dst_tgid = ctx->dst_tgid;
  pair->dst_cpu = ctx->dst_cpu;
  pair->dst_nid = ctx->dst_nid;
}

SEC("tracepoint/sched/sched_swap_numa")
int swap_numa(struct trace_event_raw_sched_numa_pair_template *ctx) {
  struct numa_pair e;
  read_pair(ctx, &e);
  bool src = tid_in_scope(e.src_pid), dst = tid_in_scope(e.dst_pid);
  if (!src && !dst) return 0;
  /* A swap moves both tasks: src to dst's node and dst to src's. */
  if (src) numa_moved(e.src_pid, e.dst_nid);
  if (dst) numa_moved(e.dst_pid, e.src_nid);
  emit_move(AURORA_EVENT_NUMA_SWAP, e.src_pid, e.src_tgid, e.src_cpu, e.src_nid, e.dst_pid,
            e.dst_tgid, e.dst_cpu, e.dst_nid);
  return 0;
}

SEC("tracepoint/sched/sched_stick_numa")
int stick_numa(struct trace_event_raw_sched_numa_pair_template *ctx) {
  struct numa_pair e;
  read_pair(ctx, &e);
  if (!tid_in_scope(e.src_pid)) return 0;
  struct aurora_thread_stats *stats = known_thread(e.src_pid);
  if (stats) stats->numa_stick += 1;
  emit_move(AURORA_EVENT_NUMA_STICK, e.src_pid, e.src_tgid, e.src_cpu, e.src_nid, e.dst_pid,
            e.dst_tgid, e.dst_cpu, e.dst_nid);
  return 0;
}

/* ---- page migrations by reason -------------------------------------------------------------- */

SEC("tracepoint/migrate/mm_migrate_pages")
int migrate_pages(struct trace_event_raw_mm_migrate_pages *ctx) {
  __u64 succeeded = ctx->succeeded, failed = ctx->failed;
  __u32 raw_reason = ctx->reason, mode = ctx->mode;
  barrier_var(raw_reason);
  __u32 reason = raw_reason < AURORA_MIGRATE_REASONS ? raw_reason : AURORA_MIGRATE_REASONS - 1;
  __u64 *by_reason = bpf_map_lookup_elem(&pages_by_reason, &reason);
  if (by_reason) *by_reason += succeeded;
  __u64 id = bpf_get_current_pid_tgid();
  __u32 tid = (__u32)id;
  if (!tid_in_scope(tid)) return 0;
  struct aurora_thread_stats *stats = known_thread(tid);
  if (stats) stats->pages_migrated += succeeded;
  if (succeeded == 0 && failed == 0) return 0;
  struct aurora_pages_event *event = reserve(sizeof(*event), AURORA_EVENT_PAGES_MIGRATED);
  if (event) {
    event->tid = tid;
    event->tgid = id >> 32;
    event->succeeded = succeeded;
    event->failed = failed;
    event->reason = raw_reason;
    event->mode = mode;
    bpf_ringbuf_submit(event, BPF_RB_NO_WAKEUP);
  }
  return 0;
}

/* ---- NUMA hinting faults: the per-thread locality signal (fentry; not every kernel) ------- */

SEC("fentry/task_numa_fault")
int BPF_PROG(numa_fault, int last_cpupid, int mem_node, int pages, int flags) {
  if (pages <= 0 || mem_node < 0) return 0;
  __u32 node = mem_node & (AURORA_MAX_NODES - 1);
  bool local = flags & TNF_FAULT_LOCAL;
  struct aurora_node_stats *totals = bpf_map_lookup_elem(&node_stats, &node);
  if (totals) {
    if (local)
      totals->numa_faults_local += pages;
    else
      totals->numa_faults_remote += pages;
    if (flags & TNF_MIGRATED) totals->pages_migrated_in += pages;
  }
  struct aurora_thread_stats *stats = known_thread((__u32)bpf_get_current_pid_tgid());
  if (stats) {
    if (local)
      stats->numa_faults_local += pages;
    else
      stats->numa_faults_remote += pages;
  }
  return 0;
}
