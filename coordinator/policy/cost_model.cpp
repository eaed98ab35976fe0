#include "aurora/coordinator/cost_model.hpp"

#include <algorithm>
#include <numeric>

namespace aurora::coord {

NodeTable NodeTable::from_topology(const Topology& topology) {
  NodeTable table;
  std::vector<const NodeInfo*> nodes;
  for (const auto& n : topology.nodes) nodes.push_back(&n);
  std::sort(nodes.begin(), nodes.end(), [](auto* a, auto* b) { return a->id < b->id; });
  for (const NodeInfo* n : nodes) {
    table.index_of[n->id] = static_cast<int>(table.ids.size());
    table.ids.push_back(n->id);
    table.cpu_capacity.push_back(static_cast<double>(n->cpus.size()));
    table.memory_total.push_back(n->memory_total_bytes);
    table.memory_free.push_back(n->memory_free_bytes);
  }
  const int size = table.size();
  table.distance.assign(size, std::vector<double>(size, 20.0));
  for (int i = 0; i < size; ++i) {
    for (int j = 0; j < size; ++j) {
      // The firmware's SLIT when present; otherwise 10 local and 20 remote, the kernel's own
      // default when a machine has no SLIT.
      const auto& d = nodes[i]->distances;
      auto it = d.find(table.ids[j]);
      if (it != d.end() && it->second > 0)
        table.distance[i][j] = it->second;
      else
        table.distance[i][j] = i == j ? 10.0 : 20.0;
    }
  }
  return table;
}

int NodeTable::index(int node_id) const {
  auto it = index_of.find(node_id);
  return it == index_of.end() ? -1 : it->second;
}

std::vector<int> NodeTable::cpu_nodes_by_distance(int from) const {
  std::vector<int> out;
  for (int i = 0; i < size(); ++i)
    if (cpu_capacity[i] > 0) out.push_back(i);
  std::stable_sort(out.begin(), out.end(),
                   [&](int a, int b) { return distance[from][a] < distance[from][b]; });
  return out;
}

Shares normalise(const std::vector<double>& amounts) {
  const double total = std::accumulate(amounts.begin(), amounts.end(), 0.0);
  Shares out(amounts.size(), 0.0);
  if (total <= 0) return out;
  for (std::size_t i = 0; i < amounts.size(); ++i) out[i] = amounts[i] / total;
  return out;
}

Shares all_on(int size, int index) {
  Shares out(size, 0.0);
  if (index >= 0 && index < size) out[index] = 1.0;
  return out;
}

double remote_share(const Shares& cpu, const Shares& memory) {
  // 1 - sum_i cpu[i] * memory[i], but written as the cross sum so that empty vectors give 0.
  double local = 0, total = 0;
  for (std::size_t i = 0; i < cpu.size(); ++i) {
    for (std::size_t j = 0; j < memory.size(); ++j) {
      total += cpu[i] * memory[j];
      if (i == j) local += cpu[i] * memory[j];
    }
  }
  return total > 0 ? (total - local) / total : 0.0;
}

double weighted_distance(const NodeTable& nodes, const Shares& cpu, const Shares& memory) {
  double sum = 0, total = 0;
  for (std::size_t i = 0; i < cpu.size(); ++i) {
    for (std::size_t j = 0; j < memory.size(); ++j) {
      sum += cpu[i] * memory[j] * nodes.distance[i][j] / 10.0;
      total += cpu[i] * memory[j];
    }
  }
  return total > 0 ? sum / total : 1.0;
}

double penalty_rate(double cpu_cores, double intensity, double weighted, const CostParameters& p) {
  return cpu_cores * intensity * p.remote_penalty * std::max(0.0, weighted - 1.0);
}

double migration_rate(const CostParameters& p) {
  const double budget = std::max(1.0, p.migration_budget_bytes_per_second);
  return p.migration_observed_bytes_per_second > 0 ? std::min(budget, p.migration_observed_bytes_per_second) : budget;
}

CostEstimate estimate_move(double cpu_cores, double intensity, double before, double after, double during,
                           std::uint64_t bytes, int threads_moved, const CostParameters& p) {
  CostEstimate e;
  e.penalty_seconds_per_second = penalty_rate(cpu_cores, intensity, before, p);
  const double penalty_after = penalty_rate(cpu_cores, intensity, after, p);
  const double saving_rate = e.penalty_seconds_per_second - penalty_after;
  e.migration_duration_seconds = static_cast<double>(bytes) / migration_rate(p);
  // While pages move the placement goes linearly from `during` to `after`: over the migration
  // the process loses half of (penalty(during) - penalty(after)) per second compared with
  // arriving at once. A migration longer than the horizon is counted up to the horizon.
  const double ramp = std::min(e.migration_duration_seconds, 2 * p.horizon_seconds);
  e.expected_saving_seconds =
      saving_rate * p.horizon_seconds - (penalty_rate(cpu_cores, intensity, during, p) - penalty_after) * ramp / 2.0;
  // The migrating thread is busy while it copies: at the observed rate when that is slower
  // than the kernel's copy alone.
  const double copy_rate = std::min(std::max(1.0, p.migration_cpu_bytes_per_second), migration_rate(p));
  e.migration_cost_seconds = static_cast<double>(bytes) / copy_rate + threads_moved * p.thread_move_cost_seconds;
  return e;
}

}  // namespace aurora::coord
