// The placement policy: (topology, snapshot, hints, state) -> decisions, each with the
// evidence behind it and the improvement it expects, as text and numbers.
//
// Pure: it reads nothing from the system and changes nothing; the live coordinator feeds it
// pipeline snapshots and hands its decisions to the actuators, the simulator feeds it modelled
// snapshots and applies its decisions to the model. docs/coordinator.md describes it.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "aurora/coordinator/cost_model.hpp"
#include "aurora/coordinator/policy_state.hpp"
#include "aurora/coordinator/workload_class.hpp"
#include "aurora/snapshot.hpp"
#include "aurora/topology.hpp"

namespace aurora::coord {

struct PolicyConfig {
  bool enable_thread_affinity = true;
  bool enable_memory_migration = true;
  double min_cpu_cores = 0.25;                      // candidates use at least this much CPU
  std::uint64_t min_rss_bytes = 64ull << 20;        // ... and this much memory
  double min_gain = 0.2;          // hysteresis: a move must remove this share of the penalty
  double min_net_gain_seconds = 1.0;  // ... and save at least this many CPU-s over the horizon
  double hold_seconds = 30;       // no second move of a process within this time
  double pingpong_window_seconds = 600;
  int pingpong_reversals = 2;     // moved back to a placement it left this often: frozen
  int max_moves_per_cycle = 4;
  double max_node_cpu_utilisation = 0.9;  // never plan a node's CPUs above this share
  std::uint64_t node_memory_reserve_bytes = 256ull << 20;  // kept free on every node
  std::vector<int> scope_pids;              // empty: every process
  std::vector<std::string> scope_cgroups;   // cgroup path prefixes; empty: every cgroup
  CostParameters cost;
  ClassThresholds classes;
};

// What the snapshot does not carry but the caller knows (from /proc, the journal or the model).
struct PolicyHints {
  // pid -> key of memory shared with other processes (AutoNUMA numa_group id, a shm segment, a
  // file mapped shared): processes with the same key are placed together.
  std::map<int, std::string> share_group;
  // pid -> key of a shared object it maps ("shm:..." memory, "file:..." page cache) -> that
  // object's resident bytes by node, as the process maps it. Each process's memory figures include the object, so a group sharing
  // it counts it once, not once per process (two processes sharing a 128 MiB segment hold
  // 128 MiB, not 256).
  std::map<int, std::map<std::string, NodeCounters>> shared_objects;
  // pids whose CPU affinity someone else chose (the application, a container runtime): only
  // their memory may follow them.
  std::set<int> threads_fixed;
  // pid -> the CPUs its threads may run on (the union of their masks); absent when unknown.
  // A small process (under min_rss_bytes) allowed on every node is load the scheduler's
  // balancer takes to idle CPUs elsewhere when a placement fills its node: it does not take
  // room from a move there (docs/coordinator.md "Room"). Unknown is counted as staying.
  std::map<int, std::vector<int>> allowed_cpus;
  // pid -> what its cpuset cgroup lets it use: CPUs (cpuset.cpus.effective, online ones) and
  // memory nodes (Mems_allowed_list); absent when unknown, an empty list when that part is
  // unknown. A move is planned only inside it: the actuators never bypass or widen a cpuset, so
  // a move outside it would be refused every cycle while the move that fits was never taken.
  struct CpusetLimits {
    std::vector<int> cpus;
    std::vector<int> mems;
  };
  std::map<int, CpusetLimits> cpusets;
  // pid -> node of the device it does IO with (where topology knows it).
  std::map<int, int> device_node;
  // pids of kernel threads (never touched).
  std::set<int> kernel_threads;
  // pids seen for less than min_observed_seconds (PolicyState::watch): their first
  // snapshot mostly shows how they started (first touch, exec, the runtime pinning its
  // threads), not how they run; they are reported and left until watched long enough.
  std::set<int> settling;
  // pids seen for less than min_observed_seconds but unchanged over a whole interval, on one
  // node: decided on as any other, except that a decision to move their memory waits.
  std::set<int> memory_settling;
  // pids whose memory the coordinator is still moving (Executor::migrating_pids): left alone
  // until that ends.
  std::set<int> migrating;
};

enum class ActionKind { kLeave, kMoveThreads, kMoveMemory, kMoveBoth };
const char* to_string(ActionKind kind);

struct Decision {
  std::vector<int> pids;  // the group placed together (one pid unless memory is shared)
  std::string comm;       // of the first pid
  std::string cgroup;
  std::string container;  // non-empty: act on the container's cgroup cpuset, not on threads
  WorkloadClass workload_class = WorkloadClass::kIdle;
  ActionKind action = ActionKind::kLeave;
  std::vector<int> target_nodes;          // OS node ids (threads and/or memory go there)
  std::map<int, std::uint64_t> bytes_from_node;  // memory to migrate, by source node
  std::uint64_t bytes_to_migrate = 0;
  // true: the memory does not all fit on target_nodes; only bytes_to_migrate of it moves there
  // (the actuator stops at that many bytes), the rest stays where it is.
  bool partial_memory = false;
  // A memory move to where the threads run (kMoveMemory) also pins them there, so the scheduler
  // does not take them away from it: false for threads the application placed, containers, or
  // when thread affinity is disabled. Found in the 2-node guest: two unpinned processes each had
  // their memory moved to node 1 where they ran; the scheduler then spread their threads over
  // both nodes (37% remote), and with AutoNUMA on one was moved back (ping-pong).
  bool keep_threads_there = false;
  int threads_to_move = 0;
  // A pair: the pids that leave the node this one goes to, as this one leaves the node they go
  // to (a swap when both move threads only). Neither has room where it goes until the other has
  // left; the two decisions are made (and applied) in the same cycle, and each is journaled and
  // reverted on its own.
  std::vector<int> paired_with;
  double remote_share_before = 0, remote_share_after = 0;
  double weighted_distance_before = 0, weighted_distance_after = 0;
  CostEstimate estimate;
  std::string summary;                 // one line: what and why
  std::vector<std::string> evidence;   // the figures behind it

  // What the actuators do for it: thread affinity (or cpuset.cpus) to target_nodes' CPUs, and
  // page migration (or cpuset.mems) to target_nodes.
  bool sets_thread_affinity() const {
    return action == ActionKind::kMoveThreads || action == ActionKind::kMoveBoth || keep_threads_there;
  }
  bool moves_memory() const { return action == ActionKind::kMoveMemory || action == ActionKind::kMoveBoth; }
};

// A process looked at and left alone, with the reason (for the report and the dry run).
struct Skip {
  int pid = 0;
  std::string comm;
  std::string reason;
};

struct PolicyOutcome {
  std::vector<Decision> decisions;
  std::vector<Skip> skipped;
  std::vector<std::string> frozen;  // ping-pong reports raised this cycle
};

// One policy cycle at time `now_seconds`. Records the decisions' moves in `state` (hold time,
// ping-pong) as if they were carried out; callers that fail to act call state.forget().
PolicyOutcome decide(const Topology& topology, const Snapshot& snapshot, const PolicyHints& hints,
                     const PolicyConfig& config, PolicyState& state, double now_seconds);

}  // namespace aurora::coord
