#include "aurora/coordinator/coordinator_config.hpp"

namespace aurora::coord {

PolicyConfig policy_config_from(const CoordinatorConfig& c) {
  constexpr double kMiB = 1024.0 * 1024.0;
  PolicyConfig p;
  p.enable_thread_affinity = c.enable_thread_affinity;
  p.enable_memory_migration = c.enable_memory_migration;
  p.min_cpu_cores = c.min_cpu_cores;
  p.min_rss_bytes = static_cast<std::uint64_t>(c.min_rss_mib * kMiB);
  p.min_gain = c.min_gain;
  p.min_net_gain_seconds = c.min_net_gain_seconds;
  p.hold_seconds = c.hold_seconds;
  p.pingpong_window_seconds = c.pingpong_window_seconds;
  p.pingpong_reversals = c.pingpong_reversals;
  p.max_moves_per_cycle = c.max_moves_per_cycle;
  p.max_node_cpu_utilisation = c.max_node_cpu_utilisation;
  p.node_memory_reserve_bytes = static_cast<std::uint64_t>(c.node_memory_reserve_mib * kMiB);
  p.scope_pids = c.scope_pids;
  p.scope_cgroups = c.scope_cgroups;
  p.cost.horizon_seconds = c.horizon_seconds;
  p.cost.remote_penalty = c.remote_penalty;
  p.cost.migration_budget_bytes_per_second = c.migration_budget_mib_per_second * kMiB;
  p.classes.io_sleeps_per_cpu_second = c.io_sleeps_per_cpu_second;
  p.classes.io_max_cpu_cores = c.io_max_cpu_cores;
  return p;
}

MigrationPace migration_pace_from(const CoordinatorConfig& c) {
  return {c.migration_budget_mib_per_second * 1024.0 * 1024.0, c.migration_parallel_calls};
}

}  // namespace aurora::coord
