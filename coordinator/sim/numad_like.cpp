// numad's algorithm (numad.c 20150602, summarised in docs/simulator.md): one process bound per
// 5-15 s cycle to the nodes with the most free room, weighted by 1/distance^2, then its memory
// migrated there synchronously. It never looks at where the memory is accessed from.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "sim/sim_model.hpp"

namespace aurora::coord::sim {

namespace {

struct Candidate {
  int index;
  double cpu_used;  // hundredths of a CPU
  double mb_used;
  bool bound;
};

}  // namespace

void NumadLike::tick(Model& m, double now) {
  if (!started_) {
    started_ = true;
    last_ = now;
    next_ = now + p_.min_interval_seconds;
    for (auto& p : m.processes) p.numad_last_cpu = p.total_cpu_seconds;
    return;
  }
  if (now < next_) return;
  const double dt = std::max(now - last_, 1e-6);
  last_ = now;
  const int n = m.nodes.size();

  // Node figures, in numad's units: CPU in hundredths, memory in MiB.
  std::vector<double> cpus_total(n), cpus_free(n), mbs_total(n), mbs_free(n);
  for (int i = 0; i < n; ++i) {
    cpus_total[i] = m.nodes.cpu_capacity[i] * 100;
    cpus_free[i] = std::clamp((m.nodes.cpu_capacity[i] - m.load[i]) * 100, 0.0, cpus_total[i]);
    mbs_total[i] = m.capacity_chunks[i] * m.chunk_mib;
    mbs_free[i] = m.free_chunks(i) * m.chunk_mib;
  }

  std::vector<Candidate> candidates;
  for (int k = 0; k < static_cast<int>(m.processes.size()); ++k) {
    SimProcess& p = m.processes[k];
    p.cpu_samples.push_back(100.0 * (p.total_cpu_seconds - p.numad_last_cpu) / dt);
    p.numad_last_cpu = p.total_cpu_seconds;
    if (p.cpu_samples.size() > 8) p.cpu_samples.pop_front();
    const double cpu_used = *std::max_element(p.cpu_samples.begin(), p.cpu_samples.end());
    const double mb_used = m.rss_chunks(p) * m.chunk_mib;
    if (cpu_used > p_.min_cpu_percent && mb_used > p_.min_rss_mib)
      candidates.push_back({k, cpu_used, mb_used, !p.numad_bound.empty()});
  }
  // Never-bound first, each group by CPU x memory, largest first.
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.bound != b.bound) return !a.bound;
    return a.cpu_used * a.mb_used > b.cpu_used * b.mb_used;
  });

  bool moved = false;
  for (const Candidate& c : candidates) {
    SimProcess& p = m.processes[c.index];
    if (c.bound && now - p.numad_last_bound < p_.hold_seconds) continue;
    const std::vector<long> chunks = m.chunks_by_node(p);
    std::vector<double> cpu_on(n, 0.0);
    const double cpu_total_threads = std::accumulate(p.threads.begin(), p.threads.end(), 0.0,
                                                     [](double s, const SimThread& t) { return s + t.demand; });
    for (const auto& t : p.threads) cpu_on[t.node] += c.cpu_used * t.demand / std::max(cpu_total_threads, 1e-9);

    // Requests.
    const double mb_req = c.mb_used * 100 / std::min(p_.target_utilisation, 100.0);
    const double cpu_req = std::min(c.cpu_used * 100 / p_.target_utilisation, p.threads.size() * 100.0);
    // Free room per node with what the process already uses there added back.
    std::vector<double> free_m(n), free_c(n), magnitude(n);
    for (int i = 0; i < n; ++i) {
      free_m[i] = mbs_free[i] + chunks[i] * m.chunk_mib * (c.bound ? 5.0 / 4.0 : 17.0 / 16.0);
      free_c[i] = std::min(cpus_total[i], cpus_free[i] + cpu_on[i]);
      const double need_m = std::min(free_m[i], mb_req), ex_m = std::max(0.0, free_m[i] - mb_req);
      const double need_c = std::min(free_c[i], cpu_req), ex_c = std::max(0.0, free_c[i] - cpu_req);
      magnitude[i] = (10 * need_m + 4 * ex_m) * (6 * need_c + ex_c);
    }
    // Node count from the request, sized by node 0 (numad's own simplification).
    const double flex = (100 - p_.target_utilisation) * cpus_total[0] / 200;
    int k = static_cast<int>(std::max(std::ceil(mb_req / mbs_total[0]), std::ceil((cpu_req - flex) / cpus_total[0])));
    k = std::clamp(k, 1, n);
    auto by_distance = [&](int from) {
      std::vector<int> order(n);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        if (m.nodes.distance[from][a] != m.nodes.distance[from][b]) return m.nodes.distance[from][a] < m.nodes.distance[from][b];
        return magnitude[a] > magnitude[b];
      });
      return order;
    };
    int best = 0;
    double best_score = -1;
    for (int i = 0; i < n; ++i) {
      const auto order = by_distance(i);
      double score = 0;
      for (int j = 0; j < k; ++j) score += magnitude[order[j]] / (m.nodes.distance[i][order[j]] * m.nodes.distance[i][order[j]]);
      if (score > best_score) {
        best_score = score;
        best = i;
      }
    }
    // Walk outward from the best node until the count is used and the requests are met.
    std::vector<int> target;
    double mem_left = mb_req, cpu_left = cpu_req;
    for (int j : by_distance(best)) {
      if (static_cast<int>(target.size()) >= k && mem_left <= 0 && cpu_left <= 0) break;
      if (m.nodes.cpu_capacity[j] <= 0 && mbs_total[j] <= 0) continue;
      target.push_back(j);
      mem_left -= free_m[j] - 100;
      cpu_left -= free_c[j];
    }
    std::sort(target.begin(), target.end());
    std::vector<int> cpu_target;
    for (int j : target)
      if (m.nodes.cpu_capacity[j] > 0) cpu_target.push_back(j);
    if (cpu_target.empty()) continue;
    double outside = 0;
    for (int i = 0; i < n; ++i)
      if (std::find(target.begin(), target.end(), i) == target.end()) outside += chunks[i] * m.chunk_mib;
    const std::vector<int>& current = p.numad_bound;
    if (outside <= (100 - p_.target_locality) / 100 * c.mb_used && current == cpu_target) continue;

    // Act: bind every thread to the target nodes' CPUs, then migrate from the non-target node
    // holding the most to the target node holding the least, until done or out of room.
    p.numad_bound = cpu_target;
    p.numad_last_bound = now;
    for (auto& t : p.threads) t.allowed = cpu_target;
    std::uint64_t moved_chunks = 0;
    for (int o : p.objects) {
      MemoryObject& object = m.objects[o];
      for (std::size_t ch = 0; ch < object.chunk_node.size(); ++ch) {
        if (std::find(target.begin(), target.end(), object.chunk_node[ch]) != target.end()) continue;
        std::vector<long> now_chunks = m.chunks_by_node(p);
        int to = -1;
        for (int j : target)
          if (m.free_chunks(j) > 0 && (to < 0 || now_chunks[j] < now_chunks[to])) to = j;
        if (to < 0) break;
        if (m.move_chunk(object, ch, to)) ++moved_chunks;
      }
    }
    ++m.actions;
    std::string nodes;
    for (int j : target) nodes += fmt::format("{}{}", nodes.empty() ? "" : ",", m.nodes.ids[j]);
    m.notes.push_back(fmt::format("t={:.0f}s numad: bound pid {} ({}) to node {} (k={}), migrated {} MiB", now, p.pid,
                                  p.comm, nodes, k, moved_chunks * m.chunk_mib));
    moved = true;
    break;  // at most one process per cycle
  }
  next_ = now + (moved ? p_.min_interval_seconds : p_.max_interval_seconds);
}

}  // namespace aurora::coord::sim
