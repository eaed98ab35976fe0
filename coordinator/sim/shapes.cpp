#include "aurora/coordinator/sim_shapes.hpp"

#include <cstdlib>
#include <functional>

#include <fmt/format.h>

namespace aurora::coord {

namespace {

constexpr unsigned long long kGiB = 1ull << 30;

// `cpu_nodes` nodes of 8 CPUs and 16 GiB, plus `memory_nodes` CPU-less 32 GiB nodes, with
// distances from `distance(i, j)`.
Topology build(int cpu_nodes, int memory_nodes, const std::function<int(int, int)>& distance) {
  Topology t;
  const int total = cpu_nodes + memory_nodes;
  int cpu = 0;
  for (int i = 0; i < total; ++i) {
    NodeInfo n;
    n.id = i;
    const bool has_cpus = i < cpu_nodes;
    if (has_cpus)
      for (int c = 0; c < 8; ++c) {
        n.cpus.push_back(cpu);
        t.cpus.push_back(CpuInfo{cpu, i, i, c, i, {cpu}});
        ++cpu;
      }
    n.memory_total_bytes = has_cpus ? 16 * kGiB : 32 * kGiB;
    n.memory_free_bytes = n.memory_total_bytes;
    n.memory_kind = has_cpus ? "DRAM" : "CXL";
    for (int j = 0; j < total; ++j) n.distances[j] = i == j ? 10 : distance(i, j);
    t.nodes.push_back(std::move(n));
    if (has_cpus) t.llc_groups.push_back(LlcGroup{i, t.nodes.back().cpus, 32ull << 20});
  }
  return t;
}

// Two dies per socket (12 between them), sockets on a ring (20 next door, 30 across).
int socket_ring(int i, int j, int sockets) {
  const int si = i / 2, sj = j / 2;
  if (si == sj) return 12;
  const int hops = std::min(std::abs(si - sj), sockets - std::abs(si - sj));
  return hops == 1 ? 20 : 30;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> shape_catalogue() {
  return {{"2", "2 nodes x 8 CPUs x 16 GiB, distance 21 (a 2-socket server)"},
          {"4", "4 nodes: 2 sockets x 2 dies; 12 within a socket, 21 across"},
          {"4-cxl", "3 CPU nodes + 1 CPU-less 32 GiB memory node (distance 17 from node 0, 24 others)"},
          {"8", "8 nodes: 4 sockets x 2 dies on a ring; 12 / 20 / 30"},
          {"8-cxl", "the 8-node ring + 1 CPU-less 32 GiB memory node (distance 24 from all)"},
          {"16", "16 nodes: 8 sockets x 2 dies; 12 within a socket, 21 within a board of 4 sockets, 32 across"}};
}

Result<Topology> make_shape(const std::string& name) {
  if (name == "2") return build(2, 0, [](int, int) { return 21; });
  if (name == "4") return build(4, 0, [](int i, int j) { return i / 2 == j / 2 ? 12 : 21; });
  if (name == "4-cxl")
    return build(3, 1, [](int i, int j) {
      if (i == 3 || j == 3) return (i == 0 || j == 0) ? 17 : 24;
      return 21;
    });
  if (name == "8") return build(8, 0, [](int i, int j) { return socket_ring(i, j, 4); });
  if (name == "8-cxl")
    return build(8, 1, [](int i, int j) { return (i == 8 || j == 8) ? 24 : socket_ring(i, j, 4); });
  if (name == "16")
    return build(16, 0, [](int i, int j) {
      if (i / 2 == j / 2) return 12;
      return i / 8 == j / 8 ? 21 : 32;
    });
  std::string names;
  for (const auto& [n, d] : shape_catalogue()) names += (names.empty() ? "" : ", ") + n;
  return fail(ErrorKind::kBadInput, fmt::format("unknown machine shape '{}'; use one of: {}", name, names));
}

Topology make_uniform_topology(int nodes, int cpus_per_node, unsigned long long memory_per_node,
                               int remote_distance) {
  Topology t;
  int cpu = 0;
  for (int i = 0; i < nodes; ++i) {
    NodeInfo n;
    n.id = i;
    for (int c = 0; c < cpus_per_node; ++c) {
      n.cpus.push_back(cpu);
      t.cpus.push_back(CpuInfo{cpu, i, i, c, i, {cpu}});
      ++cpu;
    }
    n.memory_total_bytes = memory_per_node;
    n.memory_free_bytes = memory_per_node;
    for (int j = 0; j < nodes; ++j) n.distances[j] = i == j ? 10 : remote_distance;
    t.nodes.push_back(std::move(n));
  }
  return t;
}

}  // namespace aurora::coord
