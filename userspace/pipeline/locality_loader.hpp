// The locality BPF object (bpf/locality.bpf.c) opened, configured, loaded and attached, and
// its maps read into a KernelReading. Owns the skeleton and every link (RAII): destroying it
// detaches everything. Internal to userspace/.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "aurora/feature_probe.hpp"
#include "aurora/result.hpp"
#include "kernel_reading.hpp"

struct locality;  // generated skeleton (locality.skel.h)
struct bpf_map;

namespace aurora::pipeline {

struct LoaderConfig {
  std::uint32_t filter_tgid = 0;
  std::uint64_t filter_cgroup_id = 0;
  std::uint32_t filter_cgroup_level = 0;
  std::int32_t filter_cgroup_subsys = -1;  // -1: cgroup v2
  std::vector<int> cpu_node;               // index: CPU id; -1 entries map to node 0
  std::vector<int> cpu_llc;
  std::uint32_t max_threads = 32768;
  std::uint32_t ring_buffer_bytes = 1u << 20;
  // What the feature probe found (feature_probe.hpp names): decides which twin and which
  // optional programs are loaded.
  std::vector<ProbeStatus> probes;
};

struct ProgramHandle {
  std::string name;  // attach point, e.g. "tp_btf/sched_switch"
  int fd = -1;
};

class LocalityProgram {
 public:
  // Opens, configures, loads and attaches. kRuntime names the program or map that failed.
  static Result<std::unique_ptr<LocalityProgram>> load(const LoaderConfig& config);
  ~LocalityProgram();
  LocalityProgram(const LocalityProgram&) = delete;
  LocalityProgram& operator=(const LocalityProgram&) = delete;

  // One entry per source: attached, or why not.
  const std::vector<ProbeStatus>& sources() const { return sources_; }
  bool source_active(const std::string& name) const;
  // Attached programs, for bpf_stats.
  const std::vector<ProgramHandle>& programs() const { return programs_; }
  bpf_map* ring_buffer_map() const;
  // Cumulative counters now; slices in progress on each CPU are added (monotonic clock).
  Result<KernelReading> read() const;
  Result<std::size_t> thread_entries() const;
  // OS node id of each node slot (aurora_shared.h AURORA_NODE_SLOTS).
  const std::vector<int>& slot_nodes() const { return slot_nodes_; }

 private:
  LocalityProgram() = default;
  struct Skeleton;
  std::unique_ptr<Skeleton> skeleton_;
  std::vector<ProbeStatus> sources_;
  std::vector<ProgramHandle> programs_;
  std::vector<int> cpu_node_;
  std::vector<int> slot_nodes_;
};

// A struct aurora_thread_stats (possibly unaligned bytes) as ThreadCounters; `slot_nodes`
// maps its per-slot CPU time back to node ids.
ThreadCounters thread_counters_from(const void* aurora_thread_stats_bytes,
                                    const std::vector<int>& slot_nodes);

}  // namespace aurora::pipeline
