// The simulated machine: memory placement, the kernel scheduler's part, per-tick accounting.
#include <algorithm>
#include <numeric>

#include "sim/sim_model.hpp"

namespace aurora::coord::sim {

int Model::allocate(int node, long chunks) {
  MemoryObject object;
  // The kernel's zonelist: the node itself, then the others by distance.
  std::vector<int> order(nodes.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return nodes.distance[node][a] < nodes.distance[node][b]; });
  for (long c = 0; c < chunks; ++c) {
    for (int n : order) {
      if (free_chunks(n) > 0) {
        object.chunk_node.push_back(n);
        ++used_chunks[n];
        break;
      }
    }
  }
  object.last_fault_node.assign(object.chunk_node.size(), -1);
  object.marked.assign(object.chunk_node.size(), 0);
  objects.push_back(std::move(object));
  return static_cast<int>(objects.size()) - 1;
}

bool Model::move_chunk(MemoryObject& object, std::size_t chunk, int to) {
  const int from = object.chunk_node[chunk];
  if (from == to || free_chunks(to) <= 0) return false;
  --used_chunks[from];
  ++used_chunks[to];
  object.chunk_node[chunk] = to;
  ++chunks_migrated;
  return true;
}

std::vector<long> Model::chunks_by_node(const SimProcess& p) const {
  std::vector<long> out(nodes.size(), 0);
  for (int o : p.objects)
    for (int n : objects[o].chunk_node) ++out[n];
  return out;
}

long Model::rss_chunks(const SimProcess& p) const {
  long total = 0;
  for (int o : p.objects) total += static_cast<long>(objects[o].chunk_node.size());
  return total;
}

std::vector<double> Model::compute_load() const {
  std::vector<double> out(nodes.size(), 0.0);
  for (const auto& p : processes)
    for (const auto& t : p.threads) out[t.node] += t.demand;
  return out;
}

void Model::move_thread(SimThread& t, int to) {
  if (t.node == to) return;
  load[t.node] -= t.demand;
  load[to] += t.demand;
  t.node = to;
  ++thread_moves;
}

namespace {

// The allowed node with the lowest load per CPU, closest to `from` on ties.
int least_loaded(const Model& m, const std::vector<int>& allowed, int from, double extra) {
  int best = -1;
  double best_ratio = 0;
  for (int n : allowed) {
    if (m.nodes.cpu_capacity[n] <= 0) continue;
    const double ratio = (m.load[n] + extra) / m.nodes.cpu_capacity[n];
    if (best < 0 || ratio < best_ratio - 1e-9 ||
        (std::abs(ratio - best_ratio) <= 1e-9 && m.nodes.distance[from][n] < m.nodes.distance[from][best])) {
      best = n;
      best_ratio = ratio;
    }
  }
  return best;
}

}  // namespace

void schedule(Model& m, double now) {
  m.load = m.compute_load();
  for (auto& p : m.processes) {
    if (p.phase_time >= 0 && !p.phase_done && now >= p.phase_time) {
      // The application moves its own threads (sched_setaffinity from inside).
      p.phase_done = true;
      p.threads_fixed = true;
      for (auto& t : p.threads) t.allowed = {p.phase_node};
    }
    for (auto& t : p.threads) {
      const auto& allowed = m.allowed(t);
      if (std::find(allowed.begin(), allowed.end(), t.node) == allowed.end())
        m.move_thread(t, least_loaded(m, allowed, t.node, t.demand));
    }
  }
  // Overload balancing: a node with more runnable demand than CPUs pushes threads to the least
  // loaded node their affinity allows, if that node has a free CPU for them.
  for (int n : m.cpu_nodes) {
    for (auto& p : m.processes) {
      for (auto& t : p.threads) {
        if (m.load[n] <= m.nodes.cpu_capacity[n] + 1e-9) break;
        if (t.node != n) continue;
        const int to = least_loaded(m, m.allowed(t), n, t.demand);
        if (to >= 0 && to != n && m.load[to] + t.demand <= m.nodes.cpu_capacity[to] + 1e-9) m.move_thread(t, to);
      }
    }
  }
}

SimSample account(Model& m, double now, double dt, double* weighted_distance_out) {
  SimSample sample;
  sample.time_seconds = now;
  m.load = m.compute_load();
  double weight_total = 0, remote_total = 0, distance_total = 0;
  for (auto& p : m.processes) {
    if (p.cpu_seconds_by_node.empty()) p.cpu_seconds_by_node.assign(m.nodes.size(), 0.0);
    const std::vector<long> chunks = m.chunks_by_node(p);
    const double total = static_cast<double>(std::accumulate(chunks.begin(), chunks.end(), 0L));
    for (const auto& t : p.threads) {
      const double capacity = m.nodes.cpu_capacity[t.node];
      const double throttle = m.load[t.node] > capacity ? capacity / m.load[t.node] : 1.0;
      const double cpu = t.demand * throttle * dt;
      p.cpu_seconds_by_node[t.node] += cpu;
      p.total_cpu_seconds += cpu;
      if (total <= 0) continue;
      const double local = chunks[t.node] / total;
      double weighted = 0;
      for (int j = 0; j < m.nodes.size(); ++j) weighted += chunks[j] / total * m.nodes.distance[t.node][j] / 10.0;
      const double w = cpu * p.intensity;
      weight_total += w;
      remote_total += w * (1.0 - local);
      distance_total += w * weighted;
      // What a sampling pipeline sees: memory accesses in proportion to memory-bound run time.
      p.sampled_local += 200.0 * w * local;
      p.sampled_remote += 200.0 * w * (1.0 - local);
      if (p.io_bound) p.sleeps += 5000.0 * cpu;
    }
  }
  sample.remote_share = weight_total > 0 ? remote_total / weight_total : 0.0;
  if (weighted_distance_out) *weighted_distance_out = weight_total > 0 ? distance_total / weight_total : 1.0;
  double sum = 0, high = 0;
  for (int n : m.cpu_nodes) {
    const double ratio = m.load[n] / m.nodes.cpu_capacity[n];
    sum += ratio;
    high = std::max(high, ratio);
  }
  sample.load_imbalance = m.cpu_nodes.empty() ? 0.0 : high - sum / m.cpu_nodes.size();
  return sample;
}

Snapshot take_snapshot(Model& m, double interval_seconds) {
  Snapshot s;
  s.interval_ns = static_cast<std::uint64_t>(interval_seconds * 1e9);
  for (int i = 0; i < m.nodes.size(); ++i) {
    NodeSample n;
    n.id = m.nodes.ids[i];
    n.cpu_busy_ns = static_cast<std::uint64_t>(std::min(m.load[i], m.nodes.cpu_capacity[i]) * interval_seconds * 1e9);
    n.memory_total_bytes = static_cast<std::uint64_t>(m.capacity_chunks[i]) * m.chunk_bytes();
    n.memory_free_bytes = static_cast<std::uint64_t>(m.free_chunks(i)) * m.chunk_bytes();
    s.nodes.push_back(n);
  }
  for (auto& p : m.processes) {
    ProcessSample ps;
    ps.pid = p.pid;
    ps.comm = p.comm;
    ps.cgroup = "/sim.slice/" + p.comm;
    ps.threads = static_cast<int>(p.threads.size());
    if (p.cpu_seconds_by_node.empty()) p.cpu_seconds_by_node.assign(m.nodes.size(), 0.0);
    for (int i = 0; i < m.nodes.size(); ++i) {
      if (p.cpu_seconds_by_node[i] > 0)
        ps.cpu_ns_by_node[m.nodes.ids[i]] = static_cast<std::uint64_t>(p.cpu_seconds_by_node[i] * 1e9);
      p.cpu_seconds_by_node[i] = 0;
    }
    const std::vector<long> chunks = m.chunks_by_node(p);
    for (int i = 0; i < m.nodes.size(); ++i)
      if (chunks[i] > 0) ps.memory_bytes_by_node[m.nodes.ids[i]] = static_cast<std::uint64_t>(chunks[i]) * m.chunk_bytes();
    ps.numa_faults_local = static_cast<std::uint64_t>(p.sampled_local);
    ps.numa_faults_remote = static_cast<std::uint64_t>(p.sampled_remote);
    ThreadSample all;
    all.tid = p.pid;
    all.comm = p.comm;
    all.voluntary_switches = static_cast<std::uint64_t>(p.sleeps);
    ps.thread_samples.push_back(all);
    p.sampled_local = p.sampled_remote = p.sleeps = 0;
    s.processes.push_back(std::move(ps));
  }
  return s;
}

}  // namespace aurora::coord::sim
