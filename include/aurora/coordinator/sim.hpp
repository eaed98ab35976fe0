// aurora-numa-sim's model: a discrete-time NUMA machine running a workload under one placement
// policy (none, numad-like, AutoNUMA-like, aurora, or aurora with AutoNUMA on), with the
// figures each run is judged by. Deterministic for a seed. docs/simulator.md describes it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "aurora/coordinator/placement_policy.hpp"
#include "aurora/result.hpp"
#include "aurora/snapshot.hpp"
#include "aurora/topology.hpp"

namespace aurora::coord::sim {

enum class PolicyKind { kNone, kNumadLike, kAutoNumaLike, kAurora, kAuroraWithAutoNuma };
const char* to_string(PolicyKind kind);
// "none", "numad", "autonuma", "aurora", "aurora+autonuma"; kBadInput otherwise.
Result<PolicyKind> parse_policy(const std::string& name);

// numad.c's defaults (reference: numad 20150602).
struct NumadParameters {
  double min_interval_seconds = 5;
  double max_interval_seconds = 15;
  double hold_seconds = 300;
  double min_cpu_percent = 50;   // hundredths of a CPU
  double min_rss_mib = 300;
  double target_utilisation = 85;
  double target_locality = 90;
  double migrate_mib_per_second = 2048;  // migrate_pages is synchronous: the copy rate bounds it
};

// The kernel's AutoNUMA defaults (/sys/kernel/debug/sched/numa_balancing).
struct AutoNumaParameters {
  double scan_delay_seconds = 1;
  double scan_period_min_seconds = 1;
  double scan_period_max_seconds = 60;
  double scan_size_mib = 256;
  double migrate_mib_per_second_per_node = 2560;  // 256 MB per 100 ms rate limit
  double local_target = 0.7;  // the scan period shrinks below this share of local faults
};

struct SimConfig {
  std::string workload = "mixed";  // see workload_catalogue()
  std::uint64_t seed = 1;
  double duration_seconds = 600;
  double tick_seconds = 1;
  double chunk_mib = 16;           // memory is modelled in chunks of this size
  double aurora_interval_seconds = 5;
  PolicyConfig aurora;             // the coordinator's own configuration
  NumadParameters numad;
  AutoNumaParameters autonuma;
  // When set (not with the aurora policies, which consume the snapshots themselves): called
  // with the pipeline's view of the machine every record_interval_seconds (`--record`).
  std::function<void(const Snapshot&)> on_snapshot;
  double record_interval_seconds = 1;
};

std::vector<std::pair<std::string, std::string>> workload_catalogue();

struct SimSample {
  double time_seconds = 0;
  double remote_share = 0;   // access-weighted share of remote accesses this tick
  double load_imbalance = 0; // max - mean of node CPU load / capacity
};

struct SimResult {
  std::string policy;
  std::string shape;
  std::string workload;
  std::uint64_t seed = 0;
  double duration_seconds = 0;
  double mean_remote_share = 0;      // integrated over the run
  double final_remote_share = 0;     // over the last 10% of the run
  double time_to_90_local_seconds = -1;  // first tick at or below 10% remote; -1: never
  double mean_weighted_distance = 0; // access-weighted relative latency, 1.0 = all local
  std::uint64_t pages_migrated = 0;  // 4 KiB pages
  std::uint64_t thread_moves = 0;    // cross-node thread migrations by anyone
  std::uint64_t policy_actions = 0;  // placement actions taken by the policy
  double mean_load_imbalance = 0;
  std::vector<SimSample> samples;
  std::vector<std::string> notes;    // decisions and freezes (aurora), binds (numad)
};

// Runs one policy on `topology` with the workload `config.workload`. kBadInput for an unknown
// workload or a topology with fewer than two nodes with CPUs.
Result<SimResult> run_simulation(const Topology& topology, const std::string& shape_name,
                                 PolicyKind policy, const SimConfig& config);

void to_json(nlohmann::json& out, const SimResult& result);

}  // namespace aurora::coord::sim
