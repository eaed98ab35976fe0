// The kernel's automatic NUMA balancing, modelled: the scanner unmaps scan_size of a process's
// memory every scan period; the next access to each unmapped chunk is a hinting fault; a chunk
// migrates to the faulting node when two faults in a row come from that node (the two-stage
// filter), within a per-node rate limit; the task moves to its preferred node (most memory
// faults, shared by its numa_group) when that node has room or a task there wants to swap.
#include <algorithm>
#include <functional>
#include <map>

#include "sim/sim_model.hpp"

namespace aurora::coord::sim {

void AutoNumaLike::tick(Model& m, double now, double dt) {
  const int n = m.nodes.size();
  const long scan_chunks = std::max(1L, static_cast<long>(p_.scan_size_mib / m.chunk_mib));
  std::vector<double> budget(n, p_.migrate_mib_per_second_per_node * dt / m.chunk_mib);

  for (auto& p : m.processes) {
    if (p.memory_faults.empty()) {
      p.memory_faults.assign(n, 0.0);
      p.scan_period = p_.scan_period_min_seconds;
      p.next_scan = now + p_.scan_delay_seconds;
    }
    if (now < p.next_scan) continue;
    // Adapt the period to the share of local faults seen since the last scan.
    const double faults = p.window_local + p.window_remote;
    if (faults > 0) {
      const double local = p.window_local / faults;
      p.scan_period = local >= p_.local_target ? std::min(p_.scan_period_max_seconds, p.scan_period * 2)
                                               : std::max(p_.scan_period_min_seconds, p.scan_period / 2);
    }
    p.window_local = p.window_remote = 0;
    p.next_scan = now + p.scan_period;
    for (double& f : p.memory_faults) f /= 2;  // decay, as task_numa_placement does
    // Unmap the next scan_size of the address space.
    long total = m.rss_chunks(p), left = std::min(scan_chunks, total);
    while (left > 0 && total > 0) {
      std::size_t cursor = p.scan_cursor % static_cast<std::size_t>(total);
      for (int o : p.objects) {
        MemoryObject& object = m.objects[o];
        if (cursor < object.chunk_node.size()) {
          object.marked[cursor] = 1;
          break;
        }
        cursor -= object.chunk_node.size();
      }
      ++p.scan_cursor;
      --left;
    }
  }

  // Hinting faults: the next access to an unmapped chunk, by a thread of a process mapping it,
  // picked in proportion to CPU demand.
  for (auto& object : m.objects) {
    std::vector<std::pair<int, const SimThread*>> accessors;
    double demand = 0;
    for (int u : object.users)
      for (const auto& t : m.processes[u].threads) {
        accessors.push_back({u, &t});
        demand += t.demand;
      }
    if (accessors.empty()) continue;
    for (std::size_t ch = 0; ch < object.chunk_node.size(); ++ch) {
      if (!object.marked[ch]) continue;
      object.marked[ch] = 0;
      double pick = demand * static_cast<double>(m.rng() % 1000000) / 1000000.0;
      std::size_t a = 0;
      while (a + 1 < accessors.size() && pick >= accessors[a].second->demand) pick -= accessors[a++].second->demand;
      const auto [user, thread] = accessors[a];
      const int fault_node = thread->node;
      if (object.chunk_node[ch] != fault_node && object.last_fault_node[ch] == fault_node && budget[fault_node] >= 1 &&
          m.move_chunk(object, ch, fault_node))
        budget[fault_node] -= 1;
      object.last_fault_node[ch] = fault_node;
      SimProcess& p = m.processes[user];
      p.memory_faults[object.chunk_node[ch]] += 1;
      (object.chunk_node[ch] == fault_node ? p.window_local : p.window_remote) += 1;
    }
  }

  // numa_group: processes sharing memory pool their faults for the preferred node.
  std::vector<int> group(m.processes.size());
  for (std::size_t i = 0; i < group.size(); ++i) group[i] = static_cast<int>(i);
  std::function<int(int)> root = [&](int x) { return group[x] == x ? x : group[x] = root(group[x]); };
  for (const auto& object : m.objects)
    for (std::size_t u = 1; u < object.users.size(); ++u) group[root(object.users[u])] = root(object.users[0]);
  std::map<int, std::vector<double>> group_faults;
  for (std::size_t i = 0; i < m.processes.size(); ++i) {
    auto& g = group_faults[root(static_cast<int>(i))];
    if (g.empty()) g.assign(n, 0.0);
    for (int j = 0; j < n; ++j) g[j] += m.processes[i].memory_faults[j];
  }
  for (std::size_t i = 0; i < m.processes.size(); ++i) {
    const auto& g = group_faults[root(static_cast<int>(i))];
    int best = -1;
    for (int j : m.cpu_nodes)
      if (g[j] > 0 && (best < 0 || g[j] > g[best])) best = j;
    m.processes[i].preferred = best;
  }

  // Task placement toward the preferred node: move when there is a free CPU, else swap with a
  // thread there that would rather be where this one is.
  for (auto& p : m.processes) {
    if (p.preferred < 0) continue;
    for (auto& t : p.threads) {
      const int to = p.preferred;
      if (t.node == to) continue;
      const auto& allowed = m.allowed(t);
      if (std::find(allowed.begin(), allowed.end(), to) == allowed.end()) continue;
      if (m.load[to] + t.demand <= m.nodes.cpu_capacity[to] + 1e-9) {
        m.move_thread(t, to);
        continue;
      }
      bool swapped = false;
      for (auto& q : m.processes) {
        if (swapped) break;
        if (&q == &p || q.preferred == to) continue;
        for (auto& u : q.threads) {
          if (u.node != to || q.preferred != t.node) continue;
          const auto& u_allowed = m.allowed(u);
          if (std::find(u_allowed.begin(), u_allowed.end(), t.node) == u_allowed.end()) continue;
          const int from = t.node;
          m.move_thread(u, from);
          m.move_thread(t, to);
          swapped = true;
          break;
        }
      }
    }
  }
}

}  // namespace aurora::coord::sim
