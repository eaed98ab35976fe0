// The performance report (`aurora-numa-monitor report`): an efficiency score (CPU-weighted
// locality), an estimate of cross-node traffic, per-process findings, and the coordinator's
// recommendations with their expected improvement.
#pragma once

#include <string>
#include <vector>

#include "aurora/coordinator/placement_policy.hpp"
#include "aurora/snapshot.hpp"
#include "aurora/topology.hpp"

namespace aurora::coord {

struct ProcessFinding {
  int pid = 0;
  std::string comm;
  double cpu_seconds = 0;
  double locality = 1;     // 0..1
  std::string source;      // where the locality figure came from
  std::string placement;   // "threads: node1 100%; memory: node0 100%"
};

struct PerformanceReport {
  double seconds = 0;                  // span of the snapshots
  int snapshots = 0;
  double efficiency_score = 100;       // sum(cpu * locality) / sum(cpu) * 100
  double remote_cpu_seconds = 0;       // CPU time spent by threads whose accesses were remote
  double remote_fault_pages_per_second = 0;  // sampled cross-node accesses (NUMA hinting faults)
  std::vector<ProcessFinding> findings;      // locality below 80%, worst CPU-weighted first
  PolicyOutcome recommendations;             // the policy's decisions on the whole span
};

PerformanceReport build_report(const Topology& topology, const std::vector<Snapshot>& snapshots,
                               const PolicyConfig& config);

}  // namespace aurora::coord
