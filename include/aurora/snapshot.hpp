// Snapshot: what the pipeline saw over one interval, per node, process, thread and cgroup.
//
// The one data model shared by `snapshot`, `record`/`replay`, the dashboard (`top`) and the
// coordinator. The JSON names are a public contract (docs/data-contract.md): add fields
// freely, never rename one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "aurora/feature_probe.hpp"
#include "aurora/result.hpp"

namespace aurora {

// Per-node figures keyed by OS node id. std::map keeps ids sorted for stable output.
using NodeCounters = std::map<int, std::uint64_t>;

struct NodeSample {
  int id = 0;
  std::uint64_t cpu_busy_ns = 0;          // on-CPU time of all tasks on this node's CPUs
  std::uint64_t memory_total_bytes = 0;
  std::uint64_t memory_free_bytes = 0;
  std::uint64_t numa_faults_local = 0;    // hinting faults served by this node, by local tasks
  std::uint64_t numa_faults_remote = 0;   // hinting faults on this node's memory from elsewhere
  std::uint64_t numa_moves = 0;           // AutoNUMA task moves/swaps into this node
  std::uint64_t pages_migrated = 0;       // pages migrated to this node
  std::uint64_t context_switches = 0;     // sched_switch calls on this node's CPUs
  std::uint64_t runqueue_wait_ns = 0;     // runqueue wait of in-scope threads on this node
  // Runqueue waits by log2 bucket: entry b counts waits in [2^b, 2^(b+1)) ns (b = 0 also
  // holds 0-1 ns; the last bucket everything longer). Empty when nothing waited.
  std::vector<std::uint64_t> runqueue_wait_log2_ns = {};
};

struct ThreadSample {
  int tid = 0;
  std::string comm;
  NodeCounters cpu_ns_by_node;
  int last_cpu = -1;
  int last_node = -1;
  std::uint64_t voluntary_switches = 0;
  std::uint64_t involuntary_switches = 0;
  std::uint64_t runqueue_wait_ns = 0;
  std::uint64_t migrations = 0;
  std::uint64_t cross_llc_migrations = 0;
  std::uint64_t cross_node_migrations = 0;
  std::uint64_t numa_faults_local = 0;
  std::uint64_t numa_faults_remote = 0;
  std::uint64_t numa_moves = 0;
  std::uint64_t numa_stick = 0;       // AutoNUMA wanted to move it and could not
  std::uint64_t pages_migrated = 0;   // mm_migrate_pages while this thread was current
};

struct ProcessSample {
  int pid = 0;
  std::string comm;
  std::string cgroup;     // cgroup v2 path (or v1 cpu controller path on hybrid hosts)
  std::string container;  // container id when the cgroup names one, else empty
  int threads = 0;
  NodeCounters cpu_ns_by_node;
  NodeCounters memory_bytes_by_node;
  // Of memory_bytes_by_node, the pages of file mappings (page cache, and private copies in such
  // mappings): the coordinator plans no migration of them, since its page migration leaves them.
  NodeCounters file_bytes_by_node;
  std::uint64_t numa_faults_local = 0;
  std::uint64_t numa_faults_remote = 0;
  std::uint64_t numa_moves = 0;
  std::uint64_t pages_migrated = 0;
  std::uint64_t cross_node_migrations = 0;
  std::optional<double> locality;  // 0..1, absent when no signal says anything
  std::string locality_source;     // which signal `locality` came from (docs/locality.md)
  int home_node = -1;              // node it ran on most this interval, -1 when it did not run
  std::vector<ThreadSample> thread_samples;
};

struct CgroupSample {
  std::string path;
  std::string container;
  int processes = 0;
  int threads = 0;
  NodeCounters cpu_ns_by_node;
  NodeCounters memory_bytes_by_node;
  std::uint64_t numa_faults_local = 0;
  std::uint64_t numa_faults_remote = 0;
  std::optional<double> locality;
};

struct BpfProgramCost {
  std::string name;
  std::uint64_t run_count = 0;
  std::uint64_t run_time_ns = 0;
};

// The monitor's own footprint during the interval.
struct SelfCost {
  std::uint64_t cpu_ns = 0;
  std::uint64_t rss_bytes = 0;
  std::vector<BpfProgramCost> programs;  // filled when bpf_stats are enabled
};

// System-wide NUMA counters over the interval (/proc/vmstat and the BPF page-migration
// tracepoint), for what has no per-process or per-node breakdown.
struct SystemNumaSample {
  std::uint64_t numa_hint_faults = 0;
  std::uint64_t numa_hint_faults_local = 0;
  std::uint64_t numa_pages_migrated = 0;
  std::map<std::string, std::uint64_t> pages_migrated_by_reason;  // "numa_misplaced", ...
};

// A discrete kernel event of the interval (ring buffer): exec, AutoNUMA decisions, task
// migrations across nodes, page migrations.
struct EventSample {
  std::string kind;  // "exec", "numa_move", "numa_swap", "numa_stick", "cross_node_migration",
                     // "pages_migrated"
  int tid = 0;
  int pid = 0;
  int src_node = -1;
  int dst_node = -1;
  std::uint64_t pages = 0;  // pages_migrated: pages moved
  std::string detail;       // exec: new comm; pages_migrated: the reason
};

struct Snapshot {
  std::uint64_t timestamp_ns = 0;  // CLOCK_REALTIME at the end of the interval
  std::uint64_t interval_ns = 0;
  std::uint64_t events_lost = 0;   // ring-buffer reserves that failed (never silent)
  std::uint64_t threads_dropped = 0;  // threads not tracked because the thread map was full
  // Which signal each figure came from, e.g. {"cpu_ns_by_node": "bpf tp_btf/sched_switch",
  // "locality": "..."}; docs/locality.md lists the keys and values.
  std::map<std::string, std::string> sources = {};
  SystemNumaSample system = {};
  std::vector<EventSample> events = {};
  std::vector<ProbeStatus> probes;
  std::vector<NodeSample> nodes;
  std::vector<ProcessSample> processes;
  std::vector<CgroupSample> cgroups;
  SelfCost self;
};

void to_json(nlohmann::json& out, const Snapshot& snapshot);
// Reads a snapshot written by to_json; unknown fields are ignored (newer writers), missing
// optional ones default. kBadInput names the field that is wrong.
Result<Snapshot> snapshot_from_json(const nlohmann::json& in);

}  // namespace aurora
