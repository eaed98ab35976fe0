#include "dashboard/snapshot_window.hpp"

#include <unordered_map>

namespace aurora::dashboard {

namespace {

void add_counters(NodeCounters& into, const NodeCounters& from) {
  for (const auto& [node, value] : from) into[node] += value;
}

void merge_thread(ThreadSample& into, const ThreadSample& from) {
  add_counters(into.cpu_ns_by_node, from.cpu_ns_by_node);
  into.voluntary_switches += from.voluntary_switches;
  into.involuntary_switches += from.involuntary_switches;
  into.runqueue_wait_ns += from.runqueue_wait_ns;
  into.migrations += from.migrations;
  into.cross_llc_migrations += from.cross_llc_migrations;
  into.cross_node_migrations += from.cross_node_migrations;
  into.numa_faults_local += from.numa_faults_local;
  into.numa_faults_remote += from.numa_faults_remote;
  into.numa_moves += from.numa_moves;
}

void merge_process(ProcessSample& into, const ProcessSample& from) {
  add_counters(into.cpu_ns_by_node, from.cpu_ns_by_node);
  into.numa_faults_local += from.numa_faults_local;
  into.numa_faults_remote += from.numa_faults_remote;
  into.numa_moves += from.numa_moves;
  into.pages_migrated += from.pages_migrated;
  into.cross_node_migrations += from.cross_node_migrations;
  std::unordered_map<int, const ThreadSample*> older_threads;
  older_threads.reserve(from.thread_samples.size());
  for (const ThreadSample& t : from.thread_samples) older_threads.emplace(t.tid, &t);
  for (ThreadSample& t : into.thread_samples)
    if (auto it = older_threads.find(t.tid); it != older_threads.end()) merge_thread(t, *it->second);
}

}  // namespace

void merge_older_into(Snapshot& newer, const Snapshot& older) {
  newer.interval_ns += older.interval_ns;
  newer.events_lost += older.events_lost;
  for (NodeSample& n : newer.nodes)
    for (const NodeSample& o : older.nodes)
      if (o.id == n.id) {
        n.cpu_busy_ns += o.cpu_busy_ns;
        n.numa_faults_local += o.numa_faults_local;
        n.numa_faults_remote += o.numa_faults_remote;
        n.numa_moves += o.numa_moves;
        n.pages_migrated += o.pages_migrated;
      }
  std::unordered_map<int, const ProcessSample*> older_processes;
  older_processes.reserve(older.processes.size());
  for (const ProcessSample& p : older.processes) older_processes.emplace(p.pid, &p);
  for (ProcessSample& p : newer.processes)
    if (auto it = older_processes.find(p.pid); it != older_processes.end())
      merge_process(p, *it->second);
  std::unordered_map<std::string, const CgroupSample*> older_cgroups;
  for (const CgroupSample& c : older.cgroups) older_cgroups.emplace(c.path, &c);
  for (CgroupSample& c : newer.cgroups)
    if (auto it = older_cgroups.find(c.path); it != older_cgroups.end()) {
      add_counters(c.cpu_ns_by_node, it->second->cpu_ns_by_node);
      c.numa_faults_local += it->second->numa_faults_local;
      c.numa_faults_remote += it->second->numa_faults_remote;
    }
  newer.self.cpu_ns += older.self.cpu_ns;
}

std::optional<double> window_seconds(const Snapshot& current,
                                     std::optional<std::uint64_t> previous_timestamp_ns) {
  if (current.interval_ns > 0) return static_cast<double>(current.interval_ns) / 1e9;
  if (previous_timestamp_ns && current.timestamp_ns > *previous_timestamp_ns)
    return static_cast<double>(current.timestamp_ns - *previous_timestamp_ns) / 1e9;
  return std::nullopt;
}

}  // namespace aurora::dashboard
