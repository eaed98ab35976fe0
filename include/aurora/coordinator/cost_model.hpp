// The coordinator's cost model: how much a process loses to remote memory accesses, and what a
// placement change would save against what it costs.
//
// Everything here is pure arithmetic over node-indexed vectors so that the live coordinator
// and the simulator (tools/aurora-numa-sim) share it exactly. docs/coordinator.md derives it.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "aurora/topology.hpp"

namespace aurora::coord {

// A dense, index-based view of the topology: OS node ids may be sparse (0 and 2), the policy's
// loops are not. Built once per cycle.
struct NodeTable {
  std::vector<int> ids;                        // index -> OS node id, sorted
  std::map<int, int> index_of;                 // OS node id -> index
  std::vector<std::vector<double>> distance;   // [i][j] SLIT distance, 10 = local
  std::vector<double> cpu_capacity;            // logical CPUs (0 for a memory-only node)
  std::vector<std::uint64_t> memory_total;     // bytes
  std::vector<std::uint64_t> memory_free;      // bytes

  static NodeTable from_topology(const Topology& topology);
  int size() const { return static_cast<int>(ids.size()); }
  int index(int node_id) const;  // -1 when the node is unknown
  // CPU-bearing node indices sorted by distance from `from` (ties: lower index first).
  std::vector<int> cpu_nodes_by_distance(int from) const;
};

// Fractions per node index summing to 1 (or all 0 when there is nothing to share out).
using Shares = std::vector<double>;

Shares normalise(const std::vector<double>& amounts);
// A share vector with everything on one index.
Shares all_on(int size, int index);

// Share of accesses that cross nodes when threads run by `cpu` and memory lies by `memory`:
// sum over i != j of cpu[i] * memory[j].
double remote_share(const Shares& cpu, const Shares& memory);
// Mean relative access latency: sum of cpu[i] * memory[j] * distance[i][j] / 10; 1.0 = all local.
double weighted_distance(const NodeTable& nodes, const Shares& cpu, const Shares& memory);

// Knobs of the saving-vs-cost estimate (PolicyConfig carries them; defaults documented there).
struct CostParameters {
  // Fraction of run time lost per unit of excess relative latency by a fully memory-bound
  // thread (weighted_distance 2.0 with penalty 0.5 = runs 1.5x as long).
  double remote_penalty = 0.5;
  double horizon_seconds = 120.0;        // how long a new placement is expected to last
  double migration_cpu_bytes_per_second = 1.0e9;  // kernel copy cost of page migration
  double migration_budget_bytes_per_second = 1024.0 * 1024 * 1024;  // our rate limit
  // The rate the last page migrations reached (0: none yet). Below the budget it is what a
  // migration takes: 4-25 MiB/s in the emulated 2-node guest, where the budget said 1 GiB/s.
  double migration_observed_bytes_per_second = 0;
  double thread_move_cost_seconds = 0.002;  // cache refill after moving one thread
};

struct CostEstimate {
  double penalty_seconds_per_second = 0;  // CPU-seconds lost per second at the given placement
  double expected_saving_seconds = 0;     // over the horizon, net of the migration's ramp
  double migration_cost_seconds = 0;      // one-off CPU cost of copying pages and moving threads
  double migration_duration_seconds = 0;  // at the expected rate (migration_rate)
  double net_gain_seconds() const { return expected_saving_seconds - migration_cost_seconds; }
};

// The rate a page migration is expected to reach: the budget, or what migrations were
// observed to reach when that is lower.
double migration_rate(const CostParameters& p);

// Penalty of running `cpu_cores` cores with memory intensity `intensity` (0..1) at a placement
// whose weighted distance is `weighted` (CPU-seconds lost per second).
double penalty_rate(double cpu_cores, double intensity, double weighted, const CostParameters& p);

// Saving of going from weighted distance `before` to `after` over the horizon, and the one-off
// cost of migrating `bytes` and moving `threads_moved` threads. `during` is the weighted
// distance when the pages start to move: `before` when only memory moves, but threads moved
// at once run away from all the memory not yet moved, which can be far worse than before.
CostEstimate estimate_move(double cpu_cores, double intensity, double before, double after, double during,
                           std::uint64_t bytes, int threads_moved, const CostParameters& p);

}  // namespace aurora::coord
