// What the pipeline reads from the kernel at one instant, in plain C++ types: the input of the
// aggregator (aggregator.hpp), independent of libbpf so its arithmetic is unit-testable.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "aurora/snapshot.hpp"

namespace aurora::pipeline {

inline constexpr int kRunqueueBuckets = 32;
inline constexpr int kMigrateReasons = 16;

// One thread's cumulative counters (bpf/aurora_shared.h struct aurora_thread_stats).
struct ThreadCounters {
  int tid = 0;
  int tgid = 0;
  std::uint64_t start_time_ns = 0;
  std::string comm;
  NodeCounters cpu_ns_by_node;
  std::uint64_t voluntary_switches = 0;
  std::uint64_t involuntary_switches = 0;
  std::uint64_t runqueue_wait_ns = 0;
  std::uint64_t migrations = 0;
  std::uint64_t cross_llc_migrations = 0;
  std::uint64_t cross_node_migrations = 0;
  std::uint64_t numa_faults_local = 0;
  std::uint64_t numa_faults_remote = 0;
  std::uint64_t numa_moves = 0;
  std::uint64_t numa_stick = 0;
  std::uint64_t pages_migrated = 0;
  int last_cpu = -1;
  int last_node = -1;
};

// One node's cumulative counters, summed over CPUs (struct aurora_node_stats).
struct NodeTotals {
  std::uint64_t busy_ns = 0;
  std::uint64_t context_switches = 0;
  std::uint64_t runqueue_wait_ns = 0;
  std::array<std::uint64_t, kRunqueueBuckets> runqueue_wait_hist{};
  std::uint64_t numa_faults_local = 0;
  std::uint64_t numa_faults_remote = 0;
  std::uint64_t numa_moves_in = 0;
  std::uint64_t pages_migrated_in = 0;
  std::uint64_t task_migrations_in = 0;
};

struct KernelReading {
  std::vector<ThreadCounters> threads;  // live entries; slices in progress already added
  std::map<int, NodeTotals> nodes;      // nodes with any activity
  std::uint64_t events_lost = 0;        // cumulative since load
  std::uint64_t threads_dropped = 0;    // cumulative since load
  std::array<std::uint64_t, kMigrateReasons> pages_by_reason{};  // cumulative
};

// A discrete event from the ring buffer, reduced to what the snapshot shows.
struct PipelineEvent {
  std::string kind;  // "exec", "numa_move", "numa_swap", "numa_stick", "pages_migrated",
                     // "cross_node_migration"
  int tid = 0;
  int pid = 0;
  int src_node = -1;
  int dst_node = -1;
  std::uint64_t pages = 0;
  std::string detail;  // comm for exec, reason for page migrations
};

// What the consumer thread collected since the previous snapshot.
struct DrainedEvents {
  std::vector<ThreadCounters> exits;  // final counters of threads that exited
  std::vector<PipelineEvent> events;
};

// enum migrate_reason names, by value (mm/migrate.h); "reason_<n>" beyond the known ones.
std::string migrate_reason_name(int reason);

}  // namespace aurora::pipeline
