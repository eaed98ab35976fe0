#include "aurora/coordinator/workload_class.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace aurora::coord {

const char* to_string(WorkloadClass c) {
  switch (c) {
    case WorkloadClass::kIdle: return "idle";
    case WorkloadClass::kCpuBound: return "cpu-bound";
    case WorkloadClass::kMemoryBound: return "memory-bound";
    case WorkloadClass::kIoBound: return "io-bound";
  }
  return "unknown";
}

ClassEvidence classify(const ProcessSample& process, double interval_seconds,
                       const ClassThresholds& thresholds) {
  ClassEvidence e;
  std::uint64_t cpu_ns = 0;
  for (const auto& [node, ns] : process.cpu_ns_by_node) cpu_ns += ns;
  std::uint64_t sleeps = 0;
  for (const auto& t : process.thread_samples) sleeps += t.voluntary_switches;
  const double interval = std::max(interval_seconds, 1e-3);
  e.cpu_cores = static_cast<double>(cpu_ns) / 1e9 / interval;
  const double cpu_seconds = std::max(static_cast<double>(cpu_ns) / 1e9, 1e-6);
  e.faults_per_cpu_second =
      static_cast<double>(process.numa_faults_local + process.numa_faults_remote) / cpu_seconds;
  e.sleeps_per_cpu_second = static_cast<double>(sleeps) / cpu_seconds;

  // Intensity: how much of the run time waits on memory. Hinting faults are a sampled view of
  // memory accesses, so a high rate per CPU-second marks memory-bound work; without any fault
  // signal we assume the middle ground rather than zero (remote memory still costs).
  if (e.cpu_cores < thresholds.idle_cpu_cores) {
    e.workload_class = WorkloadClass::kIdle;
    e.intensity = 0.0;
  } else if (e.cpu_cores <= thresholds.io_max_cpu_cores &&
             e.sleeps_per_cpu_second >= thresholds.io_sleeps_per_cpu_second) {
    e.workload_class = WorkloadClass::kIoBound;
    e.intensity = 0.2;
  } else if (e.faults_per_cpu_second >= thresholds.memory_faults_per_cpu_second) {
    e.workload_class = WorkloadClass::kMemoryBound;
    e.intensity = 1.0;
  } else {
    e.workload_class = WorkloadClass::kCpuBound;
    e.intensity = 0.5;
  }
  e.why = fmt::format("{:.2f} CPUs, {:.0f} NUMA faults/CPU-s, {:.0f} sleeps/CPU-s -> {}",
                      e.cpu_cores, e.faults_per_cpu_second, e.sleeps_per_cpu_second,
                      to_string(e.workload_class));
  return e;
}

}  // namespace aurora::coord
