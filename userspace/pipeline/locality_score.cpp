#include "locality_score.hpp"

namespace aurora::pipeline {

std::optional<double> locality_from_faults(std::uint64_t local, std::uint64_t remote) {
  const std::uint64_t total = local + remote;
  if (total == 0 || total < kMinimumFaultSample) return std::nullopt;
  return static_cast<double>(local) / static_cast<double>(total);
}

std::optional<double> locality_from_sched_numa(const ProcSchedNuma& sched, int home_node) {
  if (!sched.available) return std::nullopt;
  const int node = home_node >= 0 ? home_node : sched.current_node;
  std::uint64_t total = 0, on_node = 0;
  for (const NumaFaultsOnNode& faults : sched.faults) {
    total += faults.task_total();
    if (faults.node == node) on_node += faults.task_total();
  }
  if (total == 0 || node < 0) return std::nullopt;
  return static_cast<double>(on_node) / static_cast<double>(total);
}

std::optional<double> locality_from_placement(const NodeCounters& cpu_ns_by_node,
                                              const NodeCounters& memory_bytes_by_node) {
  double cpu_total = 0, memory_total = 0;
  for (const auto& [node, ns] : cpu_ns_by_node) cpu_total += static_cast<double>(ns);
  for (const auto& [node, bytes] : memory_bytes_by_node) memory_total += static_cast<double>(bytes);
  if (cpu_total <= 0 || memory_total <= 0) return std::nullopt;
  double score = 0;
  for (const auto& [node, ns] : cpu_ns_by_node) {
    auto memory = memory_bytes_by_node.find(node);
    if (memory == memory_bytes_by_node.end()) continue;
    score += (static_cast<double>(ns) / cpu_total) *
             (static_cast<double>(memory->second) / memory_total);
  }
  return score;
}

LocalityScore score_locality(bool faults_from_bpf, std::uint64_t faults_local,
                             std::uint64_t faults_remote, const ProcSchedNuma* sched,
                             int home_node, const NodeCounters& cpu_ns_by_node,
                             const NodeCounters& memory_bytes_by_node) {
  if (faults_from_bpf) {
    if (auto value = locality_from_faults(faults_local, faults_remote))
      return {value, kLocalityFromBpfFaults};
  } else if (sched) {
    // Only without fentry: /proc/PID/sched is the main thread's decaying history, so in a
    // quiet interval of a process whose worker threads took the faults it contradicts the
    // BPF figures (seen in the 2-node guest: 0.02-0.05 for a process with every page local).
    if (auto value = locality_from_sched_numa(*sched, home_node))
      return {value, kLocalityFromProcSched};
  }
  if (auto value = locality_from_placement(cpu_ns_by_node, memory_bytes_by_node))
    return {value, kLocalityFromPlacement};
  return {};
}

int home_node_of(const NodeCounters& cpu_ns_by_node) {
  int best = -1;
  std::uint64_t best_ns = 0;
  for (const auto& [node, ns] : cpu_ns_by_node)
    if (ns > best_ns) {
      best = node;
      best_ns = ns;
    }
  return best;
}

}  // namespace aurora::pipeline
