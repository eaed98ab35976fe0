// LivePipeline: the eBPF locality pipeline as a SnapshotSource.
//
// start() checks privileges and BTF, mounts tracefs when missing, probes which attach points
// work, loads bpf/locality.bpf.c with the scope filter and the CPU -> node/LLC maps set, and
// attaches what works. next() blocks until the interval ends and returns one Snapshot: per
// thread, process, cgroup and node, CPU time by node, memory by node, NUMA faults, AutoNUMA
// moves, migrations and a locality score (docs/locality.md says how each is computed).
// Everything is detached when the pipeline is destroyed (or the process dies: links are not
// pinned).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aurora/cgroup.hpp"
#include "aurora/host_root.hpp"
#include "aurora/memory_placement.hpp"
#include "aurora/snapshot_source.hpp"

namespace aurora {

// What to observe. Both empty: every thread on the machine.
struct PipelineScope {
  std::optional<CgroupScope> cgroup;  // the subtree of this cgroup, descendants included
  int pid = 0;                        // only this process (all its threads); 0: any
  std::string description;            // "cgroup /x", "container <id>", "pid 42": for headers
};

struct PipelineOptions {
  std::chrono::nanoseconds interval = std::chrono::seconds(1);
  PipelineScope scope;
  bool bpf_stats = false;             // enable kernel.bpf_stats while running (run_cnt/run_time)
  bool thread_samples = true;         // include per-thread rows in processes[].thread_samples
  std::uint32_t ring_buffer_bytes = 1u << 20;  // a power of two, at least one page
  std::uint32_t max_threads = 16384;  // entries of the kernel's per-thread map
  std::chrono::milliseconds consume_period = std::chrono::milliseconds(100);
  MemoryPlacementOptions memory;      // numa_maps sampling thresholds
};

class LivePipeline final : public SnapshotSource {
 public:
  // kPermission names the missing capability; kUnsupported says BTF is missing; kRuntime
  // names the program or map that failed.
  static Result<std::unique_ptr<LivePipeline>> start(const HostRoot& root,
                                                     PipelineOptions options);
  ~LivePipeline() override;
  LivePipeline(const LivePipeline&) = delete;
  LivePipeline& operator=(const LivePipeline&) = delete;

  const Topology& topology() const override;
  Result<std::optional<Snapshot>> next() override;
  // Async-signal-safe: may be called from a SIGINT/SIGTERM handler. The interval in progress
  // ends there and is still returned by next(); the call after it returns std::nullopt.
  void request_stop() override;

  // Which sources are active and why the others are not (also in every snapshot).
  const std::vector<ProbeStatus>& probes() const;
  const PipelineOptions& options() const;
  // Entries in the kernel's per-thread map right now.
  Result<std::size_t> tracked_threads() const;

  struct Impl;

 private:
  explicit LivePipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace aurora
