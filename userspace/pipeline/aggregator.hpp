// The aggregator: cumulative kernel counters in, one Snapshot per interval out.
//
// Kernel counters only grow; the aggregator keeps what it reported last per thread and per
// node and emits the differences, so a snapshot covers exactly its interval. A tid whose start
// time changed is a new thread. Threads that exited during the interval arrive as exit events
// with their final counters and are accounted once, then forgotten.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "aurora/procfs.hpp"
#include "aurora/snapshot.hpp"
#include "aurora/topology.hpp"
#include "kernel_reading.hpp"
#include "process_info.hpp"

namespace aurora::pipeline {

struct AggregatorConfig {
  bool faults_from_bpf = false;       // fentry/task_numa_fault is attached
  bool pages_migrated_from_bpf = false;  // migrate:mm_migrate_pages is attached
  bool thread_samples = true;
};

// Per-node memory figures at the end of the interval (total, free), from nodeN/meminfo.
using NodeMemory = std::map<int, std::pair<std::uint64_t, std::uint64_t>>;

class Aggregator {
 public:
  explicit Aggregator(AggregatorConfig config) : config_(config) {}

  // One snapshot from the reading at the end of the interval, the events drained during it,
  // and /proc details. `vmstat` is the system-wide reading at the same time, when available.
  Snapshot aggregate(const KernelReading& reading, const DrainedEvents& drained,
                     ProcessInfoSource& info, const NodeMemory& memory,
                     const std::optional<VmstatNuma>& vmstat, std::uint64_t interval_ns);

 private:
  struct Reported {
    std::uint64_t start_time_ns = 0;
    ThreadCounters counters;
    int intervals_missing = 0;
  };

  AggregatorConfig config_;
  std::unordered_map<int, Reported> reported_;  // by tid
  std::map<int, NodeTotals> reported_nodes_;
  std::uint64_t reported_events_lost_ = 0;
  std::uint64_t reported_threads_dropped_ = 0;
  std::array<std::uint64_t, kMigrateReasons> reported_pages_by_reason_{};
  std::optional<VmstatNuma> reported_vmstat_;
  std::unordered_map<int, std::uint64_t> reported_proc_pages_migrated_;  // by pid (fallback)
};

// counters - before, field by field, never below zero (a reading can race an update).
ThreadCounters thread_delta(const ThreadCounters& now, const ThreadCounters* before);
NodeTotals node_delta(const NodeTotals& now, const NodeTotals* before);

}  // namespace aurora::pipeline
