// Workload classes: what kind of work a process does, from its runtime, fault rate and how
// often it sleeps. The class sets how much remote memory hurts it (its memory intensity).
#pragma once

#include <string>

#include "aurora/snapshot.hpp"

namespace aurora::coord {

enum class WorkloadClass { kIdle, kCpuBound, kMemoryBound, kIoBound };

const char* to_string(WorkloadClass c);

struct ClassEvidence {
  WorkloadClass workload_class = WorkloadClass::kIdle;
  double cpu_cores = 0;              // CPU time / interval
  double faults_per_cpu_second = 0;  // NUMA hinting faults per CPU-second
  double sleeps_per_cpu_second = 0;  // voluntary switches per CPU-second
  double intensity = 0;              // 0..1: share of run time bound by memory accesses
  std::string why;                   // one line: the figures that decided the class
};

// Thresholds of the classification (documented with defaults in docs/coordinator.md).
struct ClassThresholds {
  double idle_cpu_cores = 0.05;              // below: idle
  double io_sleeps_per_cpu_second = 2000;    // above, with low CPU: IO/wait-bound
  double io_max_cpu_cores = 0.5;
  double memory_faults_per_cpu_second = 50;  // above: memory-bound
};

ClassEvidence classify(const ProcessSample& process, double interval_seconds,
                       const ClassThresholds& thresholds);

}  // namespace aurora::coord
