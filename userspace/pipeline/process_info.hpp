// What the aggregator needs to know about a process beyond the kernel counters: its name,
// cgroup, container, thread count, memory by node and AutoNUMA's view. The live source reads
// /proc and cgroups (through HostRoot); unit tests supply fixed answers.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aurora/host_root.hpp"
#include "aurora/memory_placement.hpp"
#include "aurora/procfs.hpp"
#include "aurora/snapshot.hpp"

namespace aurora::pipeline {

struct ProcessInfo {
  std::string comm;
  std::string cgroup;
  std::string container;
  int threads = 0;
  std::optional<NodeCounters> memory_bytes_by_node;  // absent: below the size threshold
  NodeCounters file_bytes_by_node;                   // of memory_bytes_by_node: file mappings
  std::optional<ProcSchedNuma> sched_numa;           // absent: no /proc/PID/sched NUMA block
};

class ProcessInfoSource {
 public:
  virtual ~ProcessInfoSource() = default;
  // std::nullopt when the process is gone.
  virtual std::optional<ProcessInfo> describe(int pid) = 0;
  // The pipeline saw pages of `pid` migrate this interval (before describe(pid)): cached
  // memory-by-node figures are stale, read them afresh despite the rate limit. Without this,
  // locality from placement kept "all on the old node" for up to 10 s after AutoNUMA moved a
  // process's pages (seen in the 2-node guest, docs/vm-tests.md).
  virtual void memory_moved(int /*pid*/) {}
  // Called once per snapshot with the pids it showed, so caches stay bounded.
  virtual void end_interval(const std::vector<int>& pids) = 0;
};

// /proc/PID/stat, /proc/PID/cgroup, /proc/PID/sched and numa_maps (rate-limited through a
// MemoryPlacementSampler).
std::unique_ptr<ProcessInfoSource> make_proc_info_source(const HostRoot& root,
                                                         MemoryPlacementOptions memory);

}  // namespace aurora::pipeline
