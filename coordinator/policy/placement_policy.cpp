#include "aurora/coordinator/placement_policy.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string>

#include <fmt/format.h>

namespace aurora::coord {

const char* to_string(ActionKind kind) {
  switch (kind) {
    case ActionKind::kLeave: return "leave";
    case ActionKind::kMoveThreads: return "move-threads";
    case ActionKind::kMoveMemory: return "move-memory";
    case ActionKind::kMoveBoth: return "move-both";
  }
  return "unknown";
}

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
// Options whose placement is within this weighted distance of the best one's count as equally
// good: a few percent remote (stacks, libraries, page cache elsewhere) is not worth a migration.
// Found in the 2-node guest with 0.02: two processes sharing a segment had 256 MiB migrated
// (3 remote-s while it ran) rather than their threads moved, which left 3% (8.5 MiB) of
// library page cache remote.
constexpr double kNearBestDistance = 0.05;
// A memory move of less than this is not planned: what a process has off its node at that size
// is thread stacks, libraries and page cache shared with other processes, which the actuator
// leaves (small or file-backed mappings). Found in the 2-node guest: "move 4 MiB of its memory"
// moved 0 pages, and the hold that followed blocked a real move.
constexpr double kMinimumMigrationBytes = 8.0 * 1024 * 1024;
// Below this share of its memory left to move, a move-both is a move-threads.
constexpr double kBothMinimumMemoryShare = 0.01;
// Memory moved alone to where its threads run needs at least this share of their time there (and
// they are pinned there: Decision::keep_threads_there); otherwise threads and memory move together.
constexpr double kKeepThreadsMinimumShare = 0.9;

// Processes placed as one: a single process, or the processes sharing one memory segment.
struct Unit {
  std::vector<const ProcessSample*> members;
  std::vector<int> pids;
  std::vector<double> cpu;     // cores per node index
  // Cores wanted per node index: run time plus runqueue wait. What the threads got is what the
  // node could give; on a crowded node they want more, and capacity is planned with that. Found
  // in the 2-node guest: two processes, each 1.5-1.7 CPUs got of 2 wanted, were both planned
  // onto one 2-CPU node.
  std::vector<double> demand;
  double demand_total = 0;
  std::vector<double> memory;  // bytes per node index
  // Of `memory`, the bytes in file mappings: page migration leaves them (page cache), so no
  // option moves them and they stay where they are in every estimate. Planning with them, a
  // process whose working set is mmapped files had memory moves planned that moved little.
  std::vector<double> file_memory;
  // Of the shared objects its members map (PolicyHints::shared_objects), the bytes per node
  // index counted in `memory`.
  std::map<std::string, std::vector<double>> shared_counted;
  double movable(int s) const { return std::max(0.0, memory[s] - file_memory[s]); }
  double cpu_total = 0;
  double rss = 0;
  int threads = 0;
  double intensity = 0;
  ClassEvidence cls;
  bool threads_fixed = false;
  int device_index = -1;
  bool in_scope = true;
  // Per node index: the node's CPUs its cpuset lets its threads use (all of them when nothing
  // limits it), and whether it lets its memory be placed there (PolicyHints::cpusets). One
  // member's cpuset confines the whole unit: its members get one target.
  std::vector<double> cpus_allowed;
  std::vector<bool> memory_allowed;
  bool confined = false;  // its cpuset leaves out some CPUs or memory nodes
  bool threads_may_go(const std::vector<int>& set) const {
    return std::all_of(set.begin(), set.end(), [&](int s) { return cpus_allowed[s] > 0; });
  }
  bool memory_may_go(const std::vector<int>& set) const {
    return std::all_of(set.begin(), set.end(), [&](int s) { return memory_allowed[s]; });
  }
};

// An IO-bound process with a known device node: the share of its accesses that go to the device
// rather than to its memory (submissions to the device's queues, DMA and completions all cross
// the interconnect when it runs on another node). A modelling choice, not a measurement: equal
// weight makes running near the device matter as much as running near the memory, so such a
// process moves to its device's node with its memory, and moving only one of them gains nothing.
constexpr double kDeviceAccessShare = 0.5;
// The device's node holds less than this share of the process's CPU time: it runs away from it.
constexpr double kNearDeviceCpuShare = 0.9;

// Mean relative latency of the unit's accesses at a placement: to its memory, and for IO-bound
// work with a device node also to the device (kDeviceAccessShare).
double placement_distance(const NodeTable& nodes, const Unit& u, const Shares& cpu, const Shares& memory) {
  const double to_memory = weighted_distance(nodes, cpu, memory);
  if (u.device_index < 0) return to_memory;
  const double to_device = weighted_distance(nodes, cpu, all_on(nodes.size(), u.device_index));
  // A few MiB (stacks, libraries, buffers that live in the caches) weigh nothing against the
  // device, and are too small to be migrated anyway (kMinimumMigrationBytes): a small IO
  // process such as a `dd` moves near its device with its threads alone.
  if (u.rss < kMinimumMigrationBytes) return to_device;
  return (1.0 - kDeviceAccessShare) * to_memory + kDeviceAccessShare * to_device;
}

// Remote memory a unit may have without it being worth a move: kMinimumMigrationBytes of
// stacks, libraries and page cache for each of its processes. Found in the 2-node guest: two
// processes sharing a segment, one running away from it, had the 128 MiB segment migrated to
// that one (2.3 remote-s while it moved) rather than its thread moved, because the second
// process's own 8.2 MiB of stacks and libraries would have stayed remote.
double small_remote_bytes(const Unit& u) {
  return kMinimumMigrationBytes * static_cast<double>(std::max<std::size_t>(1, u.members.size()));
}

// The capacity still free on each node as this cycle's decisions are planned.
struct Ledger {
  std::vector<double> cpu_load;     // cores busy
  std::vector<double> memory_free;  // bytes
  // Of cpu_load, the cores wanted by small processes allowed on every node (the monitor, shells,
  // daemons): the scheduler's load balancer takes them to idle CPUs on other nodes when a
  // placement fills their node. Found in the 2-node guest: the monitor and the locality sampler
  // wanted 1.8 of node 0's 2 CPUs, so a 576 MiB process could not have its threads moved to
  // the node holding most of its memory, with node 1's 2 CPUs about to be idle; it had its
  // memory migrated instead, and ran remote while that took.
  std::vector<double> movable_load;
};

struct Option {
  ActionKind action = ActionKind::kLeave;
  std::vector<int> set;  // node indices
  Shares cpu_after, memory_after;
  std::vector<double> memory_bytes_after;
  std::uint64_t bytes = 0;
  int threads_moved = 0;
  double weighted_after = 0;
  bool changes = false;  // false: the placement already satisfies it (nothing to do)
  bool partial = false;  // memory: only what fits on `set` moves (the process is larger than it)
  CostEstimate estimate;
};

// How an option reads in the evidence's list of alternatives.
std::string option_label(const Option& o) {
  return o.partial ? fmt::format("{} (as much as fits)", to_string(o.action)) : to_string(o.action);
}

bool in_scope(const ProcessSample& p, const PolicyConfig& config) {
  if (!config.scope_pids.empty() &&
      std::find(config.scope_pids.begin(), config.scope_pids.end(), p.pid) == config.scope_pids.end())
    return false;
  if (config.scope_cgroups.empty()) return true;
  for (const auto& prefix : config.scope_cgroups)
    if (p.cgroup.rfind(prefix, 0) == 0) return true;
  return false;
}

std::string shares_text(const NodeTable& nodes, const std::vector<double>& amounts) {
  const Shares s = normalise(amounts);
  std::string out;
  for (int i = 0; i < nodes.size(); ++i)
    if (s[i] >= 0.005) out += fmt::format("{}node{} {:.0f}%", out.empty() ? "" : ", ", nodes.ids[i], s[i] * 100);
  return out.empty() ? "none" : out;
}

std::string nodes_text(const NodeTable& nodes, const std::vector<int>& set) {
  std::string out;
  for (int i : set) out += fmt::format("{}{}", out.empty() ? "" : ",", nodes.ids[i]);
  return out;
}

bool in_set(const std::vector<int>& set, int node) { return std::find(set.begin(), set.end(), node) != set.end(); }

// The nodes closest to `center` (CPU-bearing ones, by distance) until `enough` says the set
// has room: numad's minimum node count, measured against real free capacity.
template <class Enough>
std::vector<int> closest_set(const NodeTable& nodes, int center, Enough enough) {
  std::vector<int> set;
  for (int s : nodes.cpu_nodes_by_distance(center)) {
    set.push_back(s);
    if (enough(set)) return set;
  }
  return {};
}

class Planner {
 public:
  Planner(const NodeTable& nodes, const PolicyConfig& config, Ledger& ledger)
      : nodes_(nodes), config_(config), ledger_(ledger) {}

  double cpu_room(const Unit& u, int s, double utilisation) const {
    const double node_room = nodes_.cpu_capacity[s] * utilisation - (ledger_.cpu_load[s] - u.demand[s]);
    // Its cpuset may give it only some of the node's CPUs, whatever the node has free.
    return std::min(node_room, u.cpus_allowed[s] * utilisation);
  }
  double cpu_room(const Unit& u, int s) const { return cpu_room(u, s, config_.max_node_cpu_utilisation); }
  // The cores small processes allowed everywhere would give up on `set` for CPUs idle on the
  // other nodes (idle once `u` has left them): the load balancer moves such tasks off a busy
  // node when another has idle CPUs. Only really idle CPUs count, whatever the utilisation.
  double displaceable(const Unit& u, const std::vector<int>& set) const {
    double movable = 0, idle = 0;
    for (int s = 0; s < nodes_.size(); ++s) {
      if (in_set(set, s))
        movable += ledger_.movable_load[s];
      else
        idle += std::max(0.0, nodes_.cpu_capacity[s] - (ledger_.cpu_load[s] - u.demand[s]));
    }
    return std::min(movable, idle);
  }
  double memory_room(const Unit& u, int s) const {
    return static_cast<double>(ledger_.memory_free[s]) - static_cast<double>(config_.node_memory_reserve_bytes) +
           u.memory[s];
  }

  // All of `u`'s memory fits on `set` (its pages in file mappings elsewhere stay there).
  bool memory_fits(const Unit& u, const std::vector<int>& set) const {
    if (!u.memory_may_go(set)) return false;
    double room = 0, need = u.rss;
    for (int s : set) room += memory_room(u, s);
    for (int s = 0; s < nodes_.size(); ++s)
      if (!in_set(set, s)) need -= u.file_memory[s];  // stays
    return room >= need;
  }

  // `u` would fit on `node` (one node: up to all its CPUs, as in candidate_options) once
  // `leaving` has gone from it.
  bool fits_once_left(const Unit& u, int node, const Unit& leaving) const {
    const double utilisation = std::max(1.0, config_.max_node_cpu_utilisation);
    return cpu_room(u, node, utilisation) + leaving.demand[node] + displaceable(u, {node}) >= u.demand_total;
  }

  // One side of a pair: `u`'s threads to `node`, or its threads and memory when that gains more
  // (its memory fits there and `with_memory` allows it). Nullopt when neither changes anything.
  std::optional<Option> pair_move(const Unit& u, int node, double weighted_before, bool with_memory) const {
    std::optional<Option> best;
    if (!u.threads_may_go({node})) return best;
    Option threads = make(u, ActionKind::kMoveThreads, {node}, weighted_before);
    if (threads.changes) best = std::move(threads);
    if (with_memory && config_.enable_memory_migration && memory_fits(u, {node})) {
      Option both = make(u, ActionKind::kMoveBoth, {node}, weighted_before);
      if (both.changes && (!best || both.estimate.net_gain_seconds() > best->estimate.net_gain_seconds()))
        best = std::move(both);
    }
    return best;
  }

  // Affinity to `set`: threads already inside it stay where they are (the scheduler has no
  // reason to move them); the others land on its nodes in proportion to the room each has.
  Shares spread_threads(const Unit& u, const std::vector<int>& set) const {
    const Shares now = normalise(u.cpu);
    std::vector<double> weight(nodes_.size(), 0.0);
    double room = 0, inside = 0;
    for (int s : set) {
      weight[s] = std::max(cpu_room(u, s), 0.01);
      room += weight[s];
      inside += now[s];
    }
    Shares after(nodes_.size(), 0.0);
    for (int s : set) after[s] = now[s] + (1.0 - inside) * weight[s] / room;
    return after;
  }

  // Memory already on `set` stays, and file pages everywhere; the rest fills the set's nodes in
  // proportion to their room.
  std::vector<double> gather_memory(const Unit& u, const std::vector<int>& set) const {
    std::vector<double> after = u.file_memory;
    double outside = 0, room_total = 0;
    for (int s = 0; s < nodes_.size(); ++s) outside += u.movable(s);
    for (int s : set) {
      after[s] = u.memory[s];
      outside -= u.movable(s);
      room_total += std::max(0.0, memory_room(u, s) - u.memory[s]);
    }
    for (int s : set) {
      const double room = std::max(0.0, memory_room(u, s) - u.memory[s]);
      after[s] += room_total > 0 ? outside * room / room_total : outside / set.size();
    }
    return after;
  }

  // A process larger than the room on `node`: `node` is filled up to its room (less the
  // reserve) from the other nodes, each giving in proportion to what it holds; the rest stays.
  // What AutoNUMA converges to for such a process, decided at once.
  std::vector<double> fill_memory(const Unit& u, int node) const {
    std::vector<double> after = u.memory;
    double elsewhere = 0;  // movable bytes on the other nodes
    for (int s = 0; s < nodes_.size(); ++s)
      if (s != node) elsewhere += u.movable(s);
    const double moved = std::clamp(memory_room(u, node) - u.memory[node], 0.0, elsewhere);
    if (elsewhere <= 0 || moved <= 0) return after;
    for (int s = 0; s < nodes_.size(); ++s)
      if (s != node) after[s] -= u.movable(s) * moved / elsewhere;
    after[node] += moved;
    return after;
  }

  Option make(const Unit& u, ActionKind action, const std::vector<int>& set, double weighted_before,
              bool partial = false) const {
    Option o;
    o.action = action;
    o.set = set;
    o.partial = partial;
    const Shares cpu_now = normalise(u.cpu);
    const bool threads = action == ActionKind::kMoveThreads || action == ActionKind::kMoveBoth;
    const bool memory = action == ActionKind::kMoveMemory || action == ActionKind::kMoveBoth;
    o.cpu_after = threads ? spread_threads(u, set) : cpu_now;
    o.memory_bytes_after = !memory ? u.memory : partial ? fill_memory(u, set.front()) : gather_memory(u, set);
    o.memory_after = normalise(o.memory_bytes_after);
    if (memory) {
      double kept = 0, after = 0;
      for (int s : set) {
        kept += u.memory[s];
        after += o.memory_bytes_after[s];
      }
      o.bytes = static_cast<std::uint64_t>(std::max(0.0, after - kept));
    }
    if (threads) {
      double inside = 0;
      for (int s : set) inside += cpu_now[s];
      o.threads_moved = static_cast<int>(std::ceil(u.threads * (1.0 - inside) - 1e-9));
    }
    o.changes = o.bytes > 0 || o.threads_moved > 0;
    // Moving both when one half is (all but) in place already is the single move: keep only
    // that one, so the explanation does not read "move threads and 0 MiB of memory".
    if (action == ActionKind::kMoveBoth &&
        (o.threads_moved == 0 || static_cast<double>(o.bytes) < kBothMinimumMemoryShare * u.rss))
      o.changes = false;
    if (partial && static_cast<double>(o.bytes) < kBothMinimumMemoryShare * u.rss) o.changes = false;
    if (memory && static_cast<double>(o.bytes) < kMinimumMigrationBytes) o.changes = false;
    o.weighted_after = placement_distance(nodes_, u, o.cpu_after, o.memory_after);
    // Threads move at once; their memory follows at the migration rate.
    const double during = threads && memory ? placement_distance(nodes_, u, o.cpu_after, normalise(u.memory)) : weighted_before;
    o.estimate = estimate_move(u.cpu_total, u.intensity, weighted_before, o.weighted_after, during, o.bytes,
                               o.threads_moved, config_.cost);
    return o;
  }

  std::vector<Option> options(const Unit& u, double weighted_before) const {
    std::vector<Option> all = candidate_options(u, weighted_before);
    std::vector<Option> out;
    for (auto& o : all)
      if (o.changes) out.push_back(std::move(o));
    return out;
  }

  std::vector<Option> candidate_options(const Unit& u, double weighted_before) const {
    std::vector<Option> out;
    const bool may_threads = config_.enable_thread_affinity && !u.threads_fixed;
    const bool may_memory = config_.enable_memory_migration;
    // One node may be filled up to all its CPUs before a unit is spread over several: the
    // headroom max_node_cpu_utilisation keeps costs a little queueing, a unit split over two
    // nodes runs remote for as long as it lives. Found in the simulator's 4-node shape: a
    // 4.5-CPU process whose memory's node had 4.2 CPUs of room under 0.9 was spread over two
    // nodes, and the scheduler ran two thirds of it on the one without its memory (67% remote).
    auto cpu_enough = [&](const std::vector<int>& set) {
      if (!u.threads_may_go(set)) return false;
      const double utilisation =
          set.size() == 1 ? std::max(1.0, config_.max_node_cpu_utilisation) : config_.max_node_cpu_utilisation;
      double room = displaceable(u, set);
      for (int s : set) room += cpu_room(u, s, utilisation);
      return room >= u.demand_total;
    };
    auto memory_enough = [&](const std::vector<int>& set) { return memory_fits(u, set); };
    auto both_enough = [&](const std::vector<int>& set) { return cpu_enough(set) && memory_enough(set); };
    std::vector<int> centers;
    if (u.device_index >= 0 && nodes_.cpu_capacity[u.device_index] > 0)
      centers.push_back(u.device_index);  // IO-bound: near its device
    else
      for (int i = 0; i < nodes_.size(); ++i)
        if (nodes_.cpu_capacity[i] > 0) centers.push_back(i);
    const bool container = !u.members.empty() && !u.members.front()->container.empty();
    // Memory alone goes only where the threads will stay: threads the coordinator may not move,
    // a container (cpuset.mems), or threads that run there already, on nodes not overbooked
    // (they are then pinned there: Decision::keep_threads_there). Threads the scheduler spread over nodes
    // would keep running away from it: found in the 2-node guest, a process with threads 60/40
    // over two nodes had its memory moved to one, then back to the other (38% remote
    // throughout); those threads and their memory go together (move-both). And threads caught
    // on an overbooked node (more CPUs wanted than it has, and than max_node_cpu_utilisation
    // allows) are not pinned there: found in the guest, two processes whose threads both ran on
    // node 1 at their decisions were both pinned there (4 busy threads on 2 CPUs, node 0 idle);
    // left alone, the scheduler spreads them again. A node merely busy is fine: pinning threads
    // where they run adds no load.
    auto memory_alone = [&](const std::vector<int>& set) {
      if (!may_threads || container) return true;
      const Shares c = normalise(u.cpu);
      double inside = 0, wanted = 0, limit = 0;
      for (int s : set) {
        inside += c[s];
        wanted += ledger_.cpu_load[s];
        limit += nodes_.cpu_capacity[s] * std::max(1.0, config_.max_node_cpu_utilisation);
      }
      return inside >= kKeepThreadsMinimumShare && wanted <= limit;
    };
    for (int c : centers) {
      if (may_threads)
        if (auto set = closest_set(nodes_, c, cpu_enough); !set.empty())
          out.push_back(make(u, ActionKind::kMoveThreads, set, weighted_before));
      if (may_memory)
        if (auto set = closest_set(nodes_, c, memory_enough); !set.empty() && memory_alone(set))
          out.push_back(make(u, ActionKind::kMoveMemory, set, weighted_before));
      if (may_threads && may_memory)
        if (auto set = closest_set(nodes_, c, both_enough); !set.empty())
          out.push_back(make(u, ActionKind::kMoveBoth, set, weighted_before));
      // Its memory does not fit on this node: fill the node with as much as fits, its threads
      // there (or already there). Found in the 2-node guest: a 576 MiB process on 512 MiB
      // nodes could only have its threads moved to the fuller node (34% remote left), while
      // AutoNUMA filled the threads' node (22%).
      // Not for a container: its interface is cpuset.mems, which cannot say "part of it".
      if (may_memory && !container && u.memory_may_go({c}) && !memory_enough({c})) {
        if (memory_alone({c})) out.push_back(make(u, ActionKind::kMoveMemory, {c}, weighted_before, true));
        if (may_threads && cpu_enough({c})) out.push_back(make(u, ActionKind::kMoveBoth, {c}, weighted_before, true));
      }
    }
    return out;
  }

  void commit(const Unit& u, const Option& o) {
    const int n = nodes_.size();
    for (int s = 0; s < n; ++s) {
      ledger_.cpu_load[s] += o.cpu_after[s] * u.demand_total - u.demand[s];
      ledger_.memory_free[s] -= o.memory_bytes_after[s] - u.memory[s];
    }
    // What the set's nodes now want beyond their CPUs is taken, as far as it can move, to the
    // idle CPUs of the others (in proportion to them), as the load balancer will.
    std::vector<double> over(n, 0.0), idle(n, 0.0);
    double over_total = 0, idle_total = 0;
    for (int s = 0; s < n; ++s) {
      if (in_set(o.set, s))
        over_total += over[s] = std::min(ledger_.movable_load[s], std::max(0.0, ledger_.cpu_load[s] - nodes_.cpu_capacity[s]));
      else
        idle_total += idle[s] = std::max(0.0, nodes_.cpu_capacity[s] - ledger_.cpu_load[s]);
    }
    const double moved = std::min(over_total, idle_total);
    if (moved <= 0) return;
    for (int s = 0; s < n; ++s) {
      const double delta = in_set(o.set, s) ? -moved * over[s] / over_total : moved * idle[s] / idle_total;
      ledger_.cpu_load[s] += delta;
      ledger_.movable_load[s] += delta;
    }
  }

 private:
  const NodeTable& nodes_;
  const PolicyConfig& config_;
  Ledger& ledger_;
};

// Cores a process wants per node index: each thread's run time plus its runqueue wait (at most
// the whole interval: a thread wants one CPU at most), the wait counted where the thread ran.
// Without per-thread figures (a /proc-only source) it is the run time.
std::vector<double> cpu_demand(const NodeTable& nodes, const ProcessSample& p, double interval) {
  std::vector<double> out(nodes.size(), 0.0);
  for (const auto& [node, ns] : p.cpu_ns_by_node)
    if (int i = nodes.index(node); i >= 0) out[i] += ns / 1e9 / interval;
  for (const ThreadSample& t : p.thread_samples) {
    double ran = 0;
    for (const auto& [node, ns] : t.cpu_ns_by_node) ran += static_cast<double>(ns);
    const double wait = std::min(static_cast<double>(t.runqueue_wait_ns), std::max(0.0, interval * 1e9 - ran));
    if (wait <= 0) continue;
    if (ran > 0) {
      for (const auto& [node, ns] : t.cpu_ns_by_node)
        if (int i = nodes.index(node); i >= 0) out[i] += wait * (static_cast<double>(ns) / ran) / 1e9 / interval;
    } else if (int i = nodes.index(t.last_node); i >= 0) {
      out[i] += wait / 1e9 / interval;
    }
  }
  return out;
}

// One member's cpuset confines the unit: per node, the CPUs it allows and whether it allows the
// node's memory. An empty list is one that could not be read: no limit from it.
void confine(const Topology& topology, const NodeTable& nodes, const PolicyHints::CpusetLimits& limits, Unit& u) {
  auto contains = [](const std::vector<int>& list, int x) { return std::find(list.begin(), list.end(), x) != list.end(); };
  for (int i = 0; i < nodes.size(); ++i) {
    if (!limits.cpus.empty()) {
      double allowed = 0;
      if (const NodeInfo* node = topology.node(nodes.ids[i]))
        for (int cpu : node->cpus) allowed += contains(limits.cpus, cpu) ? 1 : 0;
      if (allowed < u.cpus_allowed[i]) {
        u.cpus_allowed[i] = allowed;
        u.confined = true;
      }
    }
    if (!limits.mems.empty() && !contains(limits.mems, nodes.ids[i]) && u.memory_allowed[i]) {
      u.memory_allowed[i] = false;
      u.confined = true;
    }
  }
}

// What its cpuset allows, for the evidence and the skip lines: "CPUs on node 1, memory on node 0,1".
std::string cpuset_text(const NodeTable& nodes, const Unit& u) {
  std::vector<int> cpu_nodes, memory_nodes;
  for (int i = 0; i < nodes.size(); ++i) {
    if (u.cpus_allowed[i] > 0) cpu_nodes.push_back(nodes.ids[i]);
    if (u.memory_allowed[i] && nodes.memory_total[i] > 0) memory_nodes.push_back(nodes.ids[i]);
  }
  return fmt::format("its cpuset allows CPUs on node {} and memory on node {}",
                     cpu_nodes.empty() ? "none" : fmt::format("{}", fmt::join(cpu_nodes, ",")),
                     memory_nodes.empty() ? "none" : fmt::format("{}", fmt::join(memory_nodes, ",")));
}

// A process whose load the scheduler takes elsewhere when its node fills (Ledger::movable_load):
// too small to be placed itself (its memory is not worth keeping near), not a kernel thread, and
// allowed on a CPU of every node.
bool movable_by_scheduler(const Topology& topology, const PolicyHints& hints, const PolicyConfig& config,
                          const ProcessSample& p) {
  if (hints.kernel_threads.count(p.pid)) return false;
  const auto allowed = hints.allowed_cpus.find(p.pid);
  if (allowed == hints.allowed_cpus.end()) return false;
  std::uint64_t rss = 0;
  for (const auto& [node, bytes] : p.memory_bytes_by_node) rss += bytes;
  if (rss >= config.min_rss_bytes) return false;
  const std::set<int> cpus(allowed->second.begin(), allowed->second.end());
  return std::all_of(topology.nodes.begin(), topology.nodes.end(), [&](const NodeInfo& node) {
    return node.cpus.empty() || std::any_of(node.cpus.begin(), node.cpus.end(), [&](int cpu) { return cpus.count(cpu) > 0; });
  });
}

int dominant(const std::vector<double>& amounts) {
  return static_cast<int>(std::max_element(amounts.begin(), amounts.end()) - amounts.begin());
}

// Where a unit is now, for ping-pong detection: nodes holding at least a quarter of its
// threads' time or of its memory.
std::vector<int> placement_of(const NodeTable& nodes, const Unit& u) {
  const Shares c = normalise(u.cpu), m = normalise(u.memory);
  std::vector<int> out;
  for (int i = 0; i < nodes.size(); ++i)
    if (c[i] >= 0.25 || m[i] >= 0.25) out.push_back(nodes.ids[i]);
  return out;
}

// How far the option cuts the unit's remote-access penalty, as a share of it (the hysteresis).
double penalty_removed(const Unit& u, const Option& o, const PolicyConfig& config) {
  const double before = o.estimate.penalty_seconds_per_second;
  const double after = penalty_rate(u.cpu_total, u.intensity, o.weighted_after, config.cost);
  return before > 0 ? (before - after) / before : 0;
}

std::vector<int> target_ids(const NodeTable& nodes, const Option& o) {
  std::vector<int> out;
  for (int s : o.set) out.push_back(nodes.ids[s]);
  return out;
}


// A unit worth deciding on, with its placement now and the penalty that orders the decisions.
struct Candidate {
  Unit* unit;
  double weighted_before;
  double penalty;
  bool memory_waits = false;  // still watched (PolicyHints::memory_settling): only its threads may move
};

// Its threads may be placed jointly with another unit's: the coordinator may move them, and its
// place is not fixed by a container's cpuset or a device.
bool may_pair(const PolicyConfig& config, const Unit& u) {
  return config.enable_thread_affinity && !u.threads_fixed && u.members.front()->container.empty() &&
         u.device_index < 0;
}

// Two units each blocked by the other: no CPU room for one on a node until the other leaves it,
// and none for that one where it should go until the first leaves that. Both moves are decided
// together. A swap is the case where each runs where the other's memory is and only threads
// move; in the other cases one (or both) takes its memory along.
struct PairPlan {
  const Candidate* partner = nullptr;
  Option mine, theirs;
};

// The node a unit's threads run on (at least kKeepThreadsMinimumShare of their time) and the
// node most of its memory is on, when they differ and its threads may be moved: a swap side.
std::optional<std::pair<int, int>> swap_side(const NodeTable& nodes, const PolicyConfig& config, const Unit& u) {
  if (!may_pair(config, u)) return std::nullopt;
  const Shares c = normalise(u.cpu), m = normalise(u.memory);
  const int runs = static_cast<int>(std::max_element(c.begin(), c.end()) - c.begin());
  const int memory = static_cast<int>(std::max_element(m.begin(), m.end()) - m.begin());
  if (runs == memory || c[runs] < kKeepThreadsMinimumShare || m[memory] < kKeepThreadsMinimumShare ||
      nodes.cpu_capacity[memory] <= 0 || !u.threads_may_go({memory}))
    return std::nullopt;
  return std::pair{runs, memory};
}

// Its threads can move to `node` (alone or with its memory) as things are: no pair is needed.
bool threads_fit_on(const std::vector<Option>& options, int node) {
  return std::any_of(options.begin(), options.end(), [&](const Option& o) {
    return o.action != ActionKind::kMoveMemory && o.set == std::vector<int>{node};
  });
}

std::optional<PairPlan> find_pair(const Planner& planner, const NodeTable& nodes, const PolicyConfig& config,
                                  const Candidate& cand, const std::vector<Candidate>& candidates,
                                  const std::set<const Unit*>& visited, const std::vector<Option>& options) {
  const Unit& u = *cand.unit;
  if (!may_pair(config, u)) return std::nullopt;
  auto worth = [&](const Unit& unit, const Option& o) {
    return o.changes && o.estimate.net_gain_seconds() >= config.min_net_gain_seconds &&
           penalty_removed(unit, o, config) >= config.min_gain;
  };
  std::optional<PairPlan> best;
  auto total = [](const PairPlan& plan) {
    return plan.mine.estimate.net_gain_seconds() + plan.theirs.estimate.net_gain_seconds();
  };
  for (int to = 0; to < nodes.size(); ++to) {
    if (nodes.cpu_capacity[to] <= 0 || threads_fit_on(options, to)) continue;
    // Its memory's wait (memory_waits) is checked where its decision is taken.
    const auto mine = planner.pair_move(u, to, cand.weighted_before, true);
    // Each move must stand on its own gain.
    if (!mine || !worth(u, *mine)) continue;
    for (const Candidate& other : candidates) {
      const Unit& v = *other.unit;
      if (&v == &u || visited.count(&v) || !may_pair(config, v) || v.demand[to] <= 0) continue;
      if (!planner.fits_once_left(u, to, v)) continue;
      for (int theirs_to = 0; theirs_to < nodes.size(); ++theirs_to) {
        if (theirs_to == to || nodes.cpu_capacity[theirs_to] <= 0 || !planner.fits_once_left(v, theirs_to, u)) continue;
        // The partner's memory moves only once it has been watched long enough.
        const auto theirs = planner.pair_move(v, theirs_to, other.weighted_before, !other.memory_waits);
        if (!theirs || !worth(v, *theirs)) continue;
        PairPlan plan{&other, *mine, *theirs};
        if (!best || total(plan) > total(*best)) best = std::move(plan);
      }
    }
  }
  return best;
}

// The other side of a pair, as seen from one of the two decisions.
struct PairSide {
  const Unit* partner = nullptr;
  const Option* partner_option = nullptr;
};

// The decision for `u` taking option `chosen`, with the evidence behind it.
Decision describe(const NodeTable& nodes, const PolicyConfig& config, const Ledger& ledger, const Unit& u,
                  double weighted_before, const Option& chosen, const std::vector<Option>& options,
                  const PairSide& pair) {
  const Option* best = &chosen;
  const ProcessSample& first = *u.members.front();
  const Shares c = normalise(u.cpu);
  const double remote_before = remote_share(c, normalise(u.memory));
  const std::vector<int> to_nodes = target_ids(nodes, chosen);
  const double penalty_before = best->estimate.penalty_seconds_per_second;
  const double penalty_after = penalty_rate(u.cpu_total, u.intensity, best->weighted_after, config.cost);
  Decision d;
  d.pids = u.pids;
  d.comm = first.comm;
  d.cgroup = first.cgroup;
  d.container = first.container;
  d.workload_class = u.cls.workload_class;
  d.action = best->action;
  d.target_nodes = to_nodes;
  const bool moves_memory = best->action != ActionKind::kMoveThreads;
  if (moves_memory)
    for (int i = 0; i < nodes.size(); ++i)
      if (std::find(best->set.begin(), best->set.end(), i) == best->set.end() &&
          u.memory[i] > best->memory_bytes_after[i])
        d.bytes_from_node[nodes.ids[i]] = static_cast<std::uint64_t>(u.memory[i] - best->memory_bytes_after[i]);
  d.bytes_to_migrate = best->bytes;
  d.partial_memory = best->partial;
  // Memory alone, with threads the coordinator may move: they run there (memory_alone), so
  // they are pinned there.
  d.keep_threads_there = best->action == ActionKind::kMoveMemory && config.enable_thread_affinity &&
                         !u.threads_fixed && d.container.empty();
  d.threads_to_move = best->threads_moved;
  d.remote_share_before = remote_before;
  d.remote_share_after = remote_share(best->cpu_after, best->memory_after);
  d.weighted_distance_before = weighted_before;
  d.weighted_distance_after = best->weighted_after;
  d.estimate = best->estimate;
  const int memory_home = dominant(u.memory);
  // A third node: neither a quarter of its threads' time nor of its memory is there now (as in
  // placement_of). Threads split evenly over two nodes have no single home to compare with.
  double cpu_inside = 0, memory_inside = 0;
  for (int s : best->set) {
    cpu_inside += c[s];
    memory_inside += normalise(u.memory)[s];
  }
  const bool third = best->action == ActionKind::kMoveBoth && cpu_inside < 0.25 && memory_inside < 0.25;
  std::string what;
  const std::string fits =
      best->partial ? fmt::format(", as much as fits (the rest, {:.0f} MiB, stays)",
                                  (u.rss - best->memory_bytes_after[best->set.front()]) / kMiB)
                    : "";
  const bool near_device = u.device_index >= 0 &&
                           std::find(best->set.begin(), best->set.end(), u.device_index) != best->set.end();
  // A swap trades nodes; otherwise the partner leaves the node this one goes to.
  std::string with_partner;
  if (pair.partner) {
    const bool swap = best->action == ActionKind::kMoveThreads && pair.partner_option->action == ActionKind::kMoveThreads;
    with_partner = swap ? fmt::format(", swapping nodes with pid {}", pair.partner->members.front()->pid)
                        : fmt::format(", as pid {} leaves it for node {}", pair.partner->members.front()->pid,
                                      nodes_text(nodes, pair.partner_option->set));
  }
  switch (best->action) {
    case ActionKind::kMoveThreads:
      what = fmt::format("move its threads to node {} ({}){}", nodes_text(nodes, best->set),
                         near_device && memory_home != u.device_index ? "near its device" : "where its memory is",
                         with_partner);
      break;
    case ActionKind::kMoveMemory:
      what = fmt::format("move {:.0f} MiB of its memory to node {} (where it runs){}{}", best->bytes / kMiB,
                         nodes_text(nodes, best->set), fits, d.keep_threads_there ? "; its threads are kept there" : "");
      break;
    case ActionKind::kMoveBoth:
      what = fmt::format("move threads and {:.0f} MiB of memory to node {}{}{}{}", best->bytes / kMiB, nodes_text(nodes, best->set),
                         near_device ? " (near its device)" : third ? " (a third node with room)" : "", fits, with_partner);
      break;
    case ActionKind::kLeave: break;
  }
  std::string who = u.pids.size() == 1 ? fmt::format("pid {} ({})", first.pid, first.comm)
                                       : fmt::format("pids {} sharing memory", fmt::join(u.pids, ","));
  d.summary = fmt::format("{}: {}; remote share {:.0f}% -> {:.0f}%, expected net gain {:.1f} CPU-s over {:.0f} s",
                          who, what, d.remote_share_before * 100, d.remote_share_after * 100,
                          d.estimate.net_gain_seconds(), config.cost.horizon_seconds);
  d.evidence.push_back(fmt::format("threads: {:.2f} CPUs over {} thread(s): {}", u.cpu_total, u.threads, shares_text(nodes, u.cpu)));
  if (u.demand_total > u.cpu_total + 0.05)
    d.evidence.push_back(fmt::format("    they want {:.2f} CPUs: {:.2f} CPU-s/s waiting in runqueues (capacity is planned with that)",
                                     u.demand_total, u.demand_total - u.cpu_total));
  d.evidence.push_back(fmt::format("memory: {:.0f} MiB: {}", u.rss / kMiB, shares_text(nodes, u.memory)));
  if (const double file = std::accumulate(u.file_memory.begin(), u.file_memory.end(), 0.0); file >= kMinimumMigrationBytes)
    d.evidence.push_back(fmt::format("    {:.0f} MiB of it in file mappings ({}), which page migration leaves",
                                     file / kMiB, shares_text(nodes, u.file_memory)));
  d.evidence.push_back(fmt::format("class: {}", u.cls.why));
  if (u.confined) d.evidence.push_back(fmt::format("cpuset: {}; no move goes outside it", cpuset_text(nodes, u)));
  if (u.device_index >= 0)
    d.evidence.push_back(fmt::format("device: the devices behind its open files and sockets are on node {}; {:.0f}% of its CPU time ran there",
                                     nodes.ids[u.device_index], c[u.device_index] * 100));
  d.evidence.push_back(fmt::format("weighted distance {:.2f} -> {:.2f}; penalty {:.3f} -> {:.3f} CPU-s/s",
                                   d.weighted_distance_before, d.weighted_distance_after, penalty_before, penalty_after));
  const bool measured = migration_rate(config.cost) < config.cost.migration_budget_bytes_per_second;
  d.evidence.push_back(fmt::format("saving {:.1f} CPU-s over {:.0f} s; cost {:.2f} CPU-s ({:.0f} MiB at {:.0f} MiB/s{} takes {:.1f} s, {} thread move(s))",
                                   d.estimate.expected_saving_seconds, config.cost.horizon_seconds, d.estimate.migration_cost_seconds,
                                   best->bytes / kMiB, migration_rate(config.cost) / kMiB, measured ? " (measured)" : "",
                                   d.estimate.migration_duration_seconds, best->threads_moved));
  // What "no room" below means: each node's CPUs wanted and memory free, against the limits.
  std::string room;
  for (int i = 0; i < nodes.size(); ++i)
    if (nodes.cpu_capacity[i] > 0)
      room += fmt::format("{}node{} {:.1f} of {:.1f} CPUs wanted{}, {:.0f} MiB free", room.empty() ? "" : "; ", nodes.ids[i],
                          ledger.cpu_load[i], nodes.cpu_capacity[i] * config.max_node_cpu_utilisation,
                          ledger.movable_load[i] >= 0.05
                              ? fmt::format(" ({:.1f} by small processes allowed on every node)", ledger.movable_load[i])
                              : "",
                          std::max(0.0, static_cast<double>(ledger.memory_free[i]) - static_cast<double>(config.node_memory_reserve_bytes)) / kMiB);
  d.evidence.push_back("room: " + room);
  if (pair.partner) {
    const ProcessSample& head = *pair.partner->members.front();
    const Option& theirs = *pair.partner_option;
    d.paired_with = pair.partner->pids;
    const bool swap = best->action == ActionKind::kMoveThreads && theirs.action == ActionKind::kMoveThreads;
    d.evidence.push_back(fmt::format(
        "{}: node {} has no room for its {:.2f} CPUs until pid {} ({})'s {:.2f} leave it for node {}, {}; both moves "
        "are made together",
        swap ? "swap" : "pair", nodes_text(nodes, best->set), u.demand_total, head.pid, head.comm,
        pair.partner->demand_total, nodes_text(nodes, theirs.set),
        theirs.action == ActionKind::kMoveThreads ? "where that one's memory is"
                                                  : fmt::format("with {:.0f} MiB of its memory", theirs.bytes / kMiB)));
  }
  // The best option of each kind (whole and as-much-as-fits apart), then the kinds with none.
  std::string alternatives;
  std::vector<std::string> labels;
  std::map<std::string, const Option*> top_of;
  for (const Option& o : options) {
    const std::string label = option_label(o);
    const Option*& top = top_of[label];
    if (!top) labels.push_back(label);
    if (!top || o.estimate.net_gain_seconds() > top->estimate.net_gain_seconds()) top = &o;
  }
  std::stable_sort(labels.begin(), labels.end());
  for (const std::string& label : labels)
    alternatives += fmt::format("{}{} to node {}: net {:.1f}", alternatives.empty() ? "" : "; ", label,
                                nodes_text(nodes, top_of[label]->set), top_of[label]->estimate.net_gain_seconds());
  for (ActionKind kind : {ActionKind::kMoveThreads, ActionKind::kMoveMemory, ActionKind::kMoveBoth})
    if (!top_of.count(to_string(kind)))
      alternatives += fmt::format("{}{}: not possible (disabled or no room)", alternatives.empty() ? "" : "; ", to_string(kind));
  d.evidence.push_back("options (CPU-s): leave: net 0.0; " + alternatives);
  return d;
}

}  // namespace

PolicyOutcome decide(const Topology& topology, const Snapshot& snapshot, const PolicyHints& hints,
                     const PolicyConfig& config, PolicyState& state, double now_seconds) {
  PolicyOutcome outcome;
  const NodeTable nodes = NodeTable::from_topology(topology);
  const int n = nodes.size();
  const double interval = snapshot.interval_ns > 0 ? snapshot.interval_ns / 1e9 : 1.0;

  std::vector<int> alive;
  for (const auto& p : snapshot.processes) alive.push_back(p.pid);
  state.prune(alive);
  if (n < 2) return outcome;

  // Capacity now: node figures from the snapshot where it has them, the topology otherwise.
  Ledger ledger;
  ledger.cpu_load.assign(n, 0.0);
  ledger.memory_free.assign(nodes.memory_free.begin(), nodes.memory_free.end());
  ledger.movable_load.assign(n, 0.0);
  std::vector<double> process_load(n, 0.0);
  for (const auto& p : snapshot.processes) {
    const std::vector<double> wanted = cpu_demand(nodes, p, interval);
    const bool movable = movable_by_scheduler(topology, hints, config, p);
    for (int i = 0; i < n; ++i) {
      process_load[i] += wanted[i];
      if (movable) ledger.movable_load[i] += wanted[i];
    }
  }
  for (const auto& s : snapshot.nodes) {
    const int i = nodes.index(s.id);
    if (i < 0) continue;
    ledger.cpu_load[i] = (static_cast<double>(s.cpu_busy_ns) + static_cast<double>(s.runqueue_wait_ns)) / 1e9 / interval;
    if (s.memory_total_bytes > 0) ledger.memory_free[i] = static_cast<double>(s.memory_free_bytes);
  }
  for (int i = 0; i < n; ++i) {
    ledger.cpu_load[i] = std::max(ledger.cpu_load[i], process_load[i]);
    ledger.movable_load[i] = std::min(ledger.movable_load[i], ledger.cpu_load[i]);
  }

  // Units: processes, joined when they share memory.
  std::map<std::string, Unit> grouped;
  std::vector<Unit> units;
  for (const auto& p : snapshot.processes) {
    if (hints.kernel_threads.count(p.pid)) continue;
    Unit single;
    Unit* u = &single;
    if (auto g = hints.share_group.find(p.pid); g != hints.share_group.end()) u = &grouped[g->second];
    if (u->cpu.empty()) {
      u->cpu.assign(n, 0.0);
      u->demand.assign(n, 0.0);
      u->memory.assign(n, 0.0);
      u->file_memory.assign(n, 0.0);
      u->cpus_allowed = nodes.cpu_capacity;
      u->memory_allowed.assign(n, true);
    }
    if (auto limits = hints.cpusets.find(p.pid); limits != hints.cpusets.end()) confine(topology, nodes, limits->second, *u);
    u->members.push_back(&p);
    u->pids.push_back(p.pid);
    for (const auto& [node, ns] : p.cpu_ns_by_node)
      if (int i = nodes.index(node); i >= 0) u->cpu[i] += ns / 1e9 / interval;
    const std::vector<double> wanted = cpu_demand(nodes, p, interval);
    for (int i = 0; i < n; ++i) u->demand[i] += wanted[i];
    u->demand_total = std::accumulate(u->demand.begin(), u->demand.end(), 0.0);
    for (const auto& [node, bytes] : p.memory_bytes_by_node)
      if (int i = nodes.index(node); i >= 0) u->memory[i] += static_cast<double>(bytes);
    for (const auto& [node, bytes] : p.file_bytes_by_node)
      if (int i = nodes.index(node); i >= 0) u->file_memory[i] += static_cast<double>(bytes);
    // A shared object is counted once per unit: on each node, the most any member maps of it
    // (each member's figures include what it maps; one may have touched more of it than another).
    if (auto shared = hints.shared_objects.find(p.pid); shared != hints.shared_objects.end())
      for (const auto& [key, object_bytes] : shared->second) {
        std::vector<double>& counted = u->shared_counted[key];
        counted.resize(n, 0.0);
        for (const auto& [node, bytes] : object_bytes) {
          const int i = nodes.index(node);
          if (i < 0) continue;
          const double mapped = static_cast<double>(bytes), before = counted[i];
          counted[i] = std::max(before, mapped);
          const double again = mapped - (counted[i] - before);
          u->memory[i] = std::max(0.0, u->memory[i] - again);
          // A file's pages are page cache (file_memory) in every member's figures.
          if (key.starts_with("file:")) u->file_memory[i] = std::max(0.0, u->file_memory[i] - again);
        }
      }
    u->threads += std::max(p.threads, 1);
    u->threads_fixed = u->threads_fixed || hints.threads_fixed.count(p.pid) > 0;
    u->in_scope = u->in_scope && in_scope(p, config);
    if (auto d = hints.device_node.find(p.pid); d != hints.device_node.end()) u->device_index = nodes.index(d->second);
    const ClassEvidence cls = classify(p, interval, config.classes);
    // The unit's intensity is the CPU-weighted mean of its members'; its class the heaviest's.
    const double before = u->cpu_total;
    u->cpu_total = std::accumulate(u->cpu.begin(), u->cpu.end(), 0.0);
    u->intensity = u->cpu_total > 0 ? (u->intensity * before + cls.intensity * (u->cpu_total - before)) / u->cpu_total
                                    : cls.intensity;
    if (cls.cpu_cores >= u->cls.cpu_cores) u->cls = cls;
    u->rss = std::accumulate(u->memory.begin(), u->memory.end(), 0.0);
    if (u == &single) units.push_back(std::move(single));
  }
  for (auto& [key, u] : grouped) units.push_back(std::move(u));
  // A unit cannot want more CPUs than its cpuset has: what it waits for beyond that is the
  // cpuset's doing, and no node it may go to has more for it.
  for (Unit& u : units) {
    const double allowed = std::accumulate(u.cpus_allowed.begin(), u.cpus_allowed.end(), 0.0);
    if (!u.confined || allowed <= 0 || u.demand_total <= allowed) continue;
    for (double& d : u.demand) d *= allowed / u.demand_total;
    u.demand_total = allowed;
  }

  std::vector<Candidate> candidates;
  // Swap sides (where its threads run, where its memory is) of units still being watched.
  std::vector<std::pair<std::pair<int, int>, int>> settling_sides;
  for (auto& u : units) {
    const ProcessSample& first = *u.members.front();
    const Shares c = normalise(u.cpu), m = normalise(u.memory);
    const double remote = remote_share(c, m);
    auto skip = [&](std::string reason) {
      for (int pid : u.pids) outcome.skipped.push_back({pid, first.comm, reason});
    };
    if (!u.in_scope) continue;  // outside the selected scope: not looked at, not reported
    if (u.cpu_total < config.min_cpu_cores || u.rss < static_cast<double>(config.min_rss_bytes)) {
      if (remote >= 0.2 && u.rss > 0)
        skip(fmt::format("below thresholds ({:.2f} CPUs < {:.2f} or {:.0f} MiB < {:.0f} MiB) though {:.0f}% remote",
                         u.cpu_total, config.min_cpu_cores, u.rss / kMiB, config.min_rss_bytes / kMiB, remote * 100));
      continue;
    }
    if (std::any_of(u.pids.begin(), u.pids.end(), [&](int pid) { return hints.migrating.count(pid) > 0; })) {
      skip(fmt::format("{:.0f}% remote; the coordinator is still moving its memory", remote * 100));
      continue;
    }
    if (std::any_of(u.pids.begin(), u.pids.end(), [&](int pid) { return hints.settling.count(pid) > 0; })) {
      skip(fmt::format("new: {:.0f}% remote, watched until it runs as it will (min_observed_seconds)", remote * 100));
      if (auto side = swap_side(nodes, config, u)) settling_sides.push_back({*side, first.pid});
      continue;
    }
    bool frozen = false, held = false;
    double since = 1e18;
    for (int pid : u.pids) {
      frozen = frozen || state.frozen(pid);
      since = std::min(since, state.since_last_move(pid, now_seconds));
    }
    held = since < config.hold_seconds;
    if (frozen) {
      skip("frozen after moving back and forth (ping-pong); left where it is");
      continue;
    }
    if (held) {
      skip(fmt::format("moved recently ({:.0f} s since its migration was due to finish); hold time is {:.0f} s",
                       std::max(0.0, since), config.hold_seconds));
      continue;
    }
    // IO-bound work running away from its device is misplaced even with its memory local.
    const bool away_from_device = u.device_index >= 0 && c[u.device_index] < kNearDeviceCpuShare;
    if (remote < 0.01 && !away_from_device) continue;  // already local: nothing to decide
    // A remote share that amounts to a few MiB is stacks, libraries and shared page cache, or
    // an idle thread elsewhere: not worth moving anything for (a move of everything to where
    // those pages lie scored a gain, and ran remote while its memory followed).
    if (remote * u.rss < small_remote_bytes(u) && !away_from_device) {
      skip(fmt::format("{:.0f}% remote, about {:.1f} MiB: under the {:.0f} MiB a move is planned for "
                       "(stacks, libraries, page cache shared with other processes)",
                       remote * 100, remote * u.rss / kMiB, small_remote_bytes(u) / kMiB));
      continue;
    }
    // The kernel is moving its pages right now (AutoNUMA's migrations, attributed to the
    // process's own threads): moving its threads as well would send the pages back. Found in
    // the 2-node guest with both on: pages went 0 -> 1 -> 0 after an application's phase change.
    std::uint64_t migrating = 0;
    for (const ProcessSample* m : u.members) migrating += m->pages_migrated;
    if (migrating > 0) {
      skip(fmt::format("{:.0f}% remote, but the kernel migrated {} of its pages in the last interval "
                       "(AutoNUMA): left to finish",
                       remote * 100, migrating));
      continue;
    }
    const double weighted = placement_distance(nodes, u, c, m);
    const bool memory_waits =
        std::any_of(u.pids.begin(), u.pids.end(), [&](int pid) { return hints.memory_settling.count(pid) > 0; });
    candidates.push_back({&u, weighted, penalty_rate(u.cpu_total, u.intensity, weighted, config.cost), memory_waits});
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.penalty > b.penalty; });

  Planner planner(nodes, config, ledger);
  // Units the loop has reached (decided, skipped or frozen) or decided as a pair partner: a
  // partner is only ever one not looked at yet, so no unit gets two decisions in a cycle.
  std::set<const Unit*> visited;
  for (const Candidate& cand : candidates) {
    Unit& u = *cand.unit;
    if (!visited.insert(&u).second) continue;
    const ProcessSample& first = *u.members.front();
    auto skip = [&](std::string reason) {
      for (int pid : u.pids) outcome.skipped.push_back({pid, first.comm, reason});
    };
    if (static_cast<int>(outcome.decisions.size()) >= config.max_moves_per_cycle) {
      skip(fmt::format("{} moves already planned this cycle (max_moves_per_cycle)", config.max_moves_per_cycle));
      continue;
    }
    std::vector<Option> options = planner.options(u, cand.weighted_before);
    // No room for its threads on a node until another candidate leaves it, and none for that
    // one where it should go until this one leaves: the two move together (AutoNUMA's task
    // swap, decided with both processes' figures, and its generalisation to moves with memory).
    const int moves_left = config.max_moves_per_cycle - static_cast<int>(outcome.decisions.size());
    std::optional<PairPlan> pair;
    if (moves_left >= 2) pair = find_pair(planner, nodes, config, cand, candidates, visited, options);
    if (pair) options.push_back(pair->mine);
    // A process that may be its swap partner is still being watched: moving this one's memory
    // now would take the swap away from both (found in the 2-node guest, where two such
    // processes start a fraction of a second apart). One min_observed_seconds at most.
    if (!pair) {
      const auto side = swap_side(nodes, config, u);
      if (side && !threads_fit_on(options, side->second))
        if (auto it = std::find_if(settling_sides.begin(), settling_sides.end(),
                                   [&](const auto& s) { return s.first.first == side->second && s.first.second == side->first; });
            it != settling_sides.end()) {
          skip(fmt::format("{:.0f}% remote, no room beside its memory; pid {}, new, runs where its memory is and may "
                           "swap nodes with it: waiting for it to be observed",
                           remote_share(normalise(u.cpu), normalise(u.memory)) * 100, it->second));
          continue;
        }
    }
    // The estimates are estimates: among the options (with a gain) that place it about as well
    // as the best one, the one that disturbs least (fewest bytes, then fewest threads moved) is
    // taken. Found in the 2-node guest: a process with 2% remote (its idle main thread on the
    // other node) had all its threads and 134 MiB moved for a net 2.1 CPU-s, where moving that
    // one thread gave 1.9; it ran 95% remote for the 6 s its memory took to follow. And a
    // process whose 128 MiB were all on the other node had them migrated (4 s at 100% remote
    // there) rather than its threads moved, because 4 MiB of libraries would have stayed remote.
    const Option* top = nullptr;
    for (const Option& o : options)
      if (!top || o.estimate.net_gain_seconds() > top->estimate.net_gain_seconds()) top = &o;
    const Option* best = nullptr;
    for (const Option& o : options) {
      const double net = o.estimate.net_gain_seconds();
      // About as good: its placement is within kNearBestDistance of the best one's, or what it
      // leaves remote is under what a move is ever planned for (stacks, libraries).
      const bool about_as_good = o.weighted_after <= top->weighted_after + kNearBestDistance ||
                                 remote_share(o.cpu_after, o.memory_after) * u.rss < small_remote_bytes(u);
      if (&o != top && (net <= 0 || !about_as_good)) continue;
      if (!best || o.bytes < best->bytes ||
          (o.bytes == best->bytes && (o.threads_moved < best->threads_moved ||
                                      (o.threads_moved == best->threads_moved && net > best->estimate.net_gain_seconds()))))
        best = &o;
    }
    const Shares c = normalise(u.cpu), m = normalise(u.memory);
    const double remote_before = remote_share(c, m);
    if (!best) {
      skip(fmt::format("{:.0f}% remote, but no node set has room for {:.2f} CPUs and {:.0f} MiB{}", remote_before * 100,
                       u.cpu_total, u.rss / kMiB, u.confined ? " where " + cpuset_text(nodes, u) : ""));
      continue;
    }
    const double removed = penalty_removed(u, *best, config);
    if (best->estimate.net_gain_seconds() < config.min_net_gain_seconds || removed < config.min_gain) {
      skip(fmt::format("{:.0f}% remote; best option ({} to node {}) would remove {:.0f}% of the penalty for a net "
                       "{:.2f} CPU-s over {:.0f} s: below the minimum gain ({:.0f}% and {:.1f} CPU-s)",
                       remote_before * 100, to_string(best->action), nodes_text(nodes, best->set), removed * 100,
                       best->estimate.net_gain_seconds(), config.cost.horizon_seconds, config.min_gain * 100,
                       config.min_net_gain_seconds));
      continue;
    }
    const bool pairing = pair && best == &options.back();
    // Ping-pong is checked for both sides of a pair before either is decided.
    auto contested = [&](const Unit& unit, const Option& option) {
      std::vector<int> to_nodes;
      for (int s : option.set) to_nodes.push_back(nodes.ids[s]);
      int reversals = 0;
      for (int pid : unit.pids)
        reversals = std::max(reversals, state.reversals_if_moved(pid, to_nodes, now_seconds, config.pingpong_window_seconds));
      if (reversals < config.pingpong_reversals) return false;
      const ProcessSample& head = *unit.members.front();
      const std::string why = fmt::format(
          "pid {} ({}) would go back to node {} for the {} time within {:.0f} s: frozen (ping-pong); "
          "its placement is contested (AutoNUMA, the application or shifting phases)",
          head.pid, head.comm, nodes_text(nodes, option.set), reversals, config.pingpong_window_seconds);
      for (int pid : unit.pids) {
        state.freeze(pid, why);
        outcome.skipped.push_back({pid, head.comm, "frozen: " + why});
      }
      outcome.frozen.push_back(why);
      return true;
    };
    // The decision it would get once watched long enough moves memory: not yet (a decision of
    // another kind now would only be a worse one taken sooner).
    if (cand.memory_waits && best->bytes > 0) {
      skip(fmt::format("new: {:.0f}% remote; {} to node {} waits until it has run min_observed_seconds as it will",
                       remote_before * 100, to_string(best->action), nodes_text(nodes, best->set)));
      continue;
    }
    if (contested(u, *best)) continue;
    if (pairing) {
      if (contested(*pair->partner->unit, pair->theirs)) continue;
      const Unit& other = *pair->partner->unit;
      outcome.decisions.push_back(
          describe(nodes, config, ledger, u, cand.weighted_before, *best, options, PairSide{&other, &pair->theirs}));
      // Its own options as well, so its evidence lists what it had without the pair.
      std::vector<Option> their_options = planner.options(other, pair->partner->weighted_before);
      their_options.push_back(pair->theirs);
      outcome.decisions.push_back(describe(nodes, config, ledger, other, pair->partner->weighted_before, pair->theirs,
                                           their_options, PairSide{&u, best}));
      for (const auto& [unit, option] : {std::pair<const Unit*, const Option*>{&u, best}, {&other, &pair->theirs}}) {
        planner.commit(*unit, *option);
        for (int pid : unit->pids)
          state.record_move(pid, MoveRecord{now_seconds, placement_of(nodes, *unit), target_ids(nodes, *option),
                                            option->estimate.migration_duration_seconds});
      }
      visited.insert(&other);
      continue;
    }
    outcome.decisions.push_back(describe(nodes, config, ledger, u, cand.weighted_before, *best, options, {}));
    planner.commit(u, *best);
    for (int pid : u.pids)
      state.record_move(pid, MoveRecord{now_seconds, placement_of(nodes, u), target_ids(nodes, *best),
                                        best->estimate.migration_duration_seconds});
  }
  return outcome;
}

}  // namespace aurora::coord
