// Synthetic recordings: deterministic test and benchmark input for the dashboard and anything
// else that reads recordings. An N-node machine, M processes, T threads in all, S snapshots;
// every figure follows from the spec and the seed, so two runs write identical files.
//
// This is input for tests and benchmarks of the consumers of recordings. It says nothing about
// a real machine: real recordings come from `record` (or the multi-node VM guest).
#pragma once

#include <cstdint>
#include <string>

#include "aurora/recording.hpp"

namespace aurora::synthetic {

struct Spec {
  int nodes = 8;
  int cpus_per_node = 32;
  int processes = 200;
  int threads = 10000;       // over all processes; the first process holds a quarter of them
  int snapshots = 3;
  std::uint64_t interval_ns = 1'000'000'000;
  std::uint64_t seed = 1;
  std::uint64_t start_timestamp_ns = 1'800'000'000'000'000'000ull;
};

Topology make_topology(const Spec& spec);
// Snapshot number `index` (0-based). Processes keep their pids across snapshots; from the
// second snapshot on the last process has exited (tests of "exited while selected").
Snapshot make_snapshot(const Spec& spec, int index);
// Writes header + spec.snapshots snapshots to `path`.
Result<void> write_recording(const std::string& path, const Spec& spec);

}  // namespace aurora::synthetic
