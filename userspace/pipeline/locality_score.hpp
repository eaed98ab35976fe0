// The locality score (0..1) and the signal it came from. docs/locality.md is the reference;
// the order of preference is the order of the functions below.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "aurora/procfs.hpp"
#include "aurora/snapshot.hpp"

namespace aurora::pipeline {

inline constexpr const char* kLocalityFromBpfFaults = "bpf_numa_faults";
inline constexpr const char* kLocalityFromProcSched = "proc_sched_numa_faults";
inline constexpr const char* kLocalityFromPlacement = "cpu_memory_placement";

struct LocalityScore {
  std::optional<double> value;
  std::string source;  // one of the constants above, "" when no signal says anything
};

// Fewer hinting-fault pages than this in an interval say little: a process that finished its
// work and touched a handful of pages from an unpinned main thread read 0.22 from 9 faults in
// the 2-node guest while every page was local. Such intervals score from placement instead.
inline constexpr std::uint64_t kMinimumFaultSample = 64;

// Hinting faults counted by fentry/task_numa_fault this interval: local / (local + remote),
// nothing below kMinimumFaultSample pages.
std::optional<double> locality_from_faults(std::uint64_t local, std::uint64_t remote);

// AutoNUMA's decaying per-node fault statistics (/proc/PID/sched): the share of the task's
// recent faults on memory of `home_node`, the node it ran on most.
std::optional<double> locality_from_sched_numa(const ProcSchedNuma& sched, int home_node);

// CPU time and resident memory by node: sum over nodes of cpu_share(n) * memory_share(n), the
// probability that a memory access from where the process ran finds its page local, if it
// touched its resident memory uniformly.
std::optional<double> locality_from_placement(const NodeCounters& cpu_ns_by_node,
                                              const NodeCounters& memory_bytes_by_node);

// The first signal that says something, in the order above. `faults_from_bpf` is whether the
// fault counts come from fentry (else they are not used: the fallback counts are decaying);
// when it is, /proc/PID/sched is not used either (docs/locality.md: it is the no-fentry
// signal), so an interval without hinting faults falls through to the placement score.
LocalityScore score_locality(bool faults_from_bpf, std::uint64_t faults_local,
                             std::uint64_t faults_remote, const ProcSchedNuma* sched,
                             int home_node, const NodeCounters& cpu_ns_by_node,
                             const NodeCounters& memory_bytes_by_node);

// The node with the most CPU time (lowest id on ties), -1 when the map is empty or all zero.
int home_node_of(const NodeCounters& cpu_ns_by_node);

}  // namespace aurora::pipeline
