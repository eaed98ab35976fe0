// The simulator's machine and workload state, shared by the baselines, the aurora driver and
// the runner inside aurora_coordinator (not a public header).
#pragma once

#include <cstdint>
#include <deque>
#include <list>
#include <random>
#include <string>
#include <vector>

#include "aurora/coordinator/cost_model.hpp"
#include "aurora/coordinator/sim.hpp"
#include "aurora/snapshot.hpp"
#include "aurora/topology.hpp"

namespace aurora::coord::sim {

struct SimThread {
  double demand = 1.0;       // CPUs it would use if never throttled
  int node = 0;              // node index it runs on
  std::vector<int> allowed;  // node indices its affinity allows; empty: every node with CPUs
};

// A memory region: a process's private memory or a segment several processes map.
struct MemoryObject {
  std::vector<int> chunk_node;       // node index of each chunk
  std::vector<int> last_fault_node;  // AutoNUMA's last_cpupid, reduced to the node
  std::vector<char> marked;          // AutoNUMA: made PROT_NONE by the scanner
  std::vector<int> users;            // process indices mapping it
};

struct SimProcess {
  int pid = 0;
  std::string comm;
  std::vector<SimThread> threads;
  std::vector<int> objects;  // indices into Model::objects
  double intensity = 1.0;    // share of its run time bound by memory accesses
  bool io_bound = false;
  int device_node = -1;      // node index of the device it does IO with
  bool threads_fixed = false;  // the application pinned its own threads
  double phase_time = -1;    // when the application re-pins its threads to phase_node
  int phase_node = -1;
  bool phase_done = false;

  // Accumulated since the last aurora snapshot.
  std::vector<double> cpu_seconds_by_node;
  double sampled_local = 0, sampled_remote = 0, sleeps = 0;
  double total_cpu_seconds = 0;  // monotonic (numad's /proc/PID/stat)

  // AutoNUMA-like state.
  double next_scan = 0, scan_period = 1;
  std::size_t scan_cursor = 0;
  std::vector<double> memory_faults;  // by node index, decayed each scan
  double window_local = 0, window_remote = 0;
  int preferred = -1;

  // numad-like state.
  std::deque<double> cpu_samples;
  double numad_last_cpu = 0, numad_last_bound = -1e18;
  std::vector<int> numad_bound;  // node indices; empty: unbound
};

struct Model {
  const Topology* topology = nullptr;
  NodeTable nodes;
  std::vector<int> cpu_nodes;  // indices of nodes with CPUs
  double chunk_mib = 16;
  std::vector<long> capacity_chunks, used_chunks;
  std::vector<SimProcess> processes;
  std::vector<MemoryObject> objects;
  std::mt19937_64 rng;
  std::uint64_t chunks_migrated = 0, thread_moves = 0, actions = 0;
  std::vector<double> load;  // CPUs demanded per node index, from the last schedule()
  std::vector<std::string> notes;

  std::uint64_t chunk_bytes() const { return static_cast<std::uint64_t>(chunk_mib * 1024 * 1024); }
  long free_chunks(int node) const { return capacity_chunks[node] - used_chunks[node]; }
  // First touch: `chunks` chunks on `node`, overflowing to the nearest nodes with room (the
  // kernel's fallback order). Returns the object index.
  int allocate(int node, long chunks);
  bool move_chunk(MemoryObject& object, std::size_t chunk, int to);
  std::vector<long> chunks_by_node(const SimProcess& p) const;
  long rss_chunks(const SimProcess& p) const;
  std::vector<double> compute_load() const;
  void move_thread(SimThread& t, int to);
  const std::vector<int>& allowed(const SimThread& t) const { return t.allowed.empty() ? cpu_nodes : t.allowed; }
};

// Builds `workload` into the model; kBadInput for an unknown name.
Result<void> build_workload(const std::string& workload, double duration_seconds, Model& model);

// The kernel's scheduler for one tick: phase changes, affinity, overload balancing.
void schedule(Model& model, double now);
// Runs every thread for `dt`: accounting for snapshots and the tick's sample.
SimSample account(Model& model, double now, double dt, double* weighted_distance);
// A Snapshot of what was accounted since the last call (then reset), as the pipeline would give.
Snapshot take_snapshot(Model& model, double interval_seconds);

class NumadLike {
 public:
  explicit NumadLike(const NumadParameters& p) : p_(p) {}
  void tick(Model& model, double now);

 private:
  NumadParameters p_;
  double next_ = 0, last_ = 0;
  bool started_ = false;
};

class AutoNumaLike {
 public:
  explicit AutoNumaLike(const AutoNumaParameters& p) : p_(p) {}
  void tick(Model& model, double now, double dt);

 private:
  AutoNumaParameters p_;
};

class AuroraDriver {
 public:
  AuroraDriver(const PolicyConfig& config, double interval_seconds) : config_(config), interval_(interval_seconds) {}
  void tick(Model& model, double now, double dt);

 private:
  struct PendingMove {
    int object;
    std::size_t chunk;
    std::vector<int> targets;
  };
  PolicyConfig config_;
  double interval_;
  double next_ = 0, last_ = 0;
  PolicyState state_;
  std::list<std::deque<PendingMove>> queues_;  // one per decision that moves memory
  double budget_ = 0;                          // chunks the budget allows now
};

}  // namespace aurora::coord::sim
