// The TOML configuration file (--config FILE). Every key, its meaning and its default are
// documented in docs/coordinator.md; an unknown key or a wrong type is bad input (exit 2),
// because a misspelt key silently ignored is a setting the user believes in but never got.
#pragma once

#include <string>
#include <vector>

#include "aurora/result.hpp"

namespace aurora {

struct MonitorConfig {
  double interval_seconds = 1.0;  // snapshot interval
};

// [coordinator]: the placement policy and its actuators (docs/coordinator.md lists every key).
struct CoordinatorConfig {
  double interval_seconds = 5.0;           // one policy cycle per interval
  bool enable_thread_affinity = true;      // may set thread affinity / cpuset.cpus
  bool enable_memory_migration = true;     // may migrate pages / set cpuset.mems
  double min_cpu_cores = 0.25;             // candidates use at least this much CPU ...
  double min_rss_mib = 64;                 // ... and this much memory
  double min_gain = 0.2;                   // share of the remote penalty a move must remove
  double min_net_gain_seconds = 1.0;       // CPU-seconds a move must save over the horizon
  double horizon_seconds = 120;            // how long a placement is expected to last
  double remote_penalty = 0.5;             // run-time loss per unit of excess latency
  double hold_seconds = 30;                // no second move of a process within this time
  double min_observed_seconds = 1.0;       // a new process's memory waits this long (threads: one steady interval)
  double pingpong_window_seconds = 600;
  int pingpong_reversals = 2;              // back-and-forth moves in the window: frozen
  int max_moves_per_cycle = 4;
  double max_node_cpu_utilisation = 0.9;
  double node_memory_reserve_mib = 256;
  double migration_budget_mib_per_second = 1024;  // page migration rate limit
  int migration_parallel_calls = 16;        // move_pages(2) calls in flight at once
  double io_sleeps_per_cpu_second = 2000;  // IO-bound: at least this many sleeps per CPU-second ...
  double io_max_cpu_cores = 0.5;           // ... at no more than this much CPU
  std::vector<int> scope_pids;             // empty: all processes
  std::vector<std::string> scope_cgroups;  // cgroup path prefixes; empty: all
  std::string journal_path = "/var/lib/aurora-numa/journal.jsonl";
};

struct Config {
  MonitorConfig monitor;
  CoordinatorConfig coordinator;
};

// Reads and validates `path`. kNotFound when it is absent, kBadInput naming the file, line and
// key for malformed TOML, unknown keys or out-of-range values.
Result<Config> load_config(const std::string& path);
// Same, from text (`origin` names it in messages).
Result<Config> parse_config(const std::string& text, const std::string& origin);

}  // namespace aurora
