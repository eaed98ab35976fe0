// The dashboard's figures, computed from one snapshot window and the topology: one row per
// node, process, cgroup and (on demand) thread, with rates per second already divided out.
// No terminal here: the table builder and the renderers read these rows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aurora/coordinator_feed.hpp"
#include "aurora/snapshot.hpp"
#include "aurora/topology.hpp"

namespace aurora::dashboard {

// Per-node vectors below are indexed like DashboardModel::node_ids().
struct NodeRow {
  int id = 0;
  std::vector<int> cpus;
  std::vector<int> llc_groups;
  std::string memory_kind;
  std::uint64_t memory_total_bytes = 0;
  std::uint64_t memory_free_bytes = 0;
  std::optional<double> cpu_busy_fraction;  // busy ns / (window ns x node CPUs)
  std::optional<double> local_faults_per_s;
  std::optional<double> remote_faults_per_s;
  std::optional<double> moves_per_s;
  std::optional<double> pages_migrated_per_s;
  int home_processes = 0;             // processes whose home node this is
  std::string home_process_names;     // the busiest of them, "comm(pid) ..."
  std::string devices;                // "network 0000:3b:00.0, ..."
};

struct ProcessRow {
  int pid = 0;
  std::string comm;
  std::string cgroup;
  std::string container;
  int threads = 0;
  double cpu_percent = 0;             // 100 = one CPU for the whole window
  int home_node = -1;
  std::uint64_t memory_bytes = 0;
  std::vector<std::uint64_t> memory_by_node;
  std::optional<double> locality;
  std::optional<double> remote_faults_per_s;
  std::optional<double> node_migrations_per_s;  // cross-node task migrations
  std::optional<double> pages_migrated_per_s;
  std::string workload_class;         // from the coordinator, "" without one
  std::string coordinator_note;       // its latest recommendation/action for this pid
  // Where the row shows its cgroup: the container id when there is one, else the path.
  const std::string& group() const { return container.empty() ? cgroup : container; }
};

struct ThreadRow {
  int tid = 0;
  std::string comm;
  double cpu_percent = 0;
  int home_node = -1;                 // node it ran on most this window
  int last_cpu = -1;
  int last_node = -1;
  std::optional<double> locality;     // local / (local + remote) hinting faults
  std::optional<double> remote_faults_per_s;
  std::optional<double> migrations_per_s;
  std::optional<double> node_migrations_per_s;
  std::optional<double> runqueue_wait_ms_per_s;
  std::optional<double> switches_per_s;
};

struct CgroupRow {
  std::string path;
  std::string container;
  int processes = 0;
  int threads = 0;
  double cpu_percent = 0;
  int home_node = -1;
  std::uint64_t memory_bytes = 0;
  std::vector<std::uint64_t> memory_by_node;
  std::optional<double> locality;
  std::optional<double> remote_faults_per_s;
};

struct CoordinatorRow {
  CoordinatorEntry entry;
};

class DashboardModel {
 public:
  explicit DashboardModel(Topology topology);

  // Takes the next snapshot window and recomputes every row. The coordinator feed, when
  // given, supplies the class and recommendation columns.
  void update(Snapshot snapshot, const CoordinatorFeed* coordinator = nullptr);

  bool has_data() const { return has_data_; }
  const Topology& topology() const { return topology_; }
  // The topology's node ids, plus any a snapshot reports that the topology lacks.
  const std::vector<int>& node_ids() const { return node_ids_; }
  const Snapshot& snapshot() const { return snapshot_; }
  std::optional<double> window_seconds() const { return window_seconds_; }

  const std::vector<NodeRow>& nodes() const { return nodes_; }
  const std::vector<ProcessRow>& processes() const { return processes_; }
  const std::vector<CgroupRow>& cgroups() const { return cgroups_; }
  // Built on demand: only the threads view of one process needs them.
  std::vector<ThreadRow> threads_of(int pid) const;
  const ProcessRow* process(int pid) const;

  std::uint64_t total_threads() const { return total_threads_; }

 private:
  int node_index(int id) const;
  std::vector<std::uint64_t> by_node(const NodeCounters& counters) const;
  std::optional<double> per_second(std::uint64_t count) const;
  int busiest_node(const NodeCounters& cpu_ns) const;
  double cpu_percent(const NodeCounters& cpu_ns) const;
  void build_nodes();
  void build_processes(const CoordinatorFeed* coordinator);
  void build_cgroups();

  Topology topology_;
  std::vector<int> node_ids_;
  Snapshot snapshot_;
  bool has_data_ = false;
  std::optional<std::uint64_t> previous_timestamp_ns_;
  std::optional<double> window_seconds_;
  std::vector<NodeRow> nodes_;
  std::vector<ProcessRow> processes_;
  std::vector<CgroupRow> cgroups_;
  std::uint64_t total_threads_ = 0;
};

}  // namespace aurora::dashboard
