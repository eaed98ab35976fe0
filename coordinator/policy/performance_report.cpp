#include "aurora/coordinator/performance_report.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace aurora::coord {

namespace {

std::string shares(const NodeCounters& counters) {
  std::uint64_t total = 0;
  for (const auto& [n, v] : counters) total += v;
  std::string out;
  for (const auto& [n, v] : counters)
    if (total && v * 200 >= total) out += fmt::format("{}node{} {:.0f}%", out.empty() ? "" : ", ", n, 100.0 * v / total);
  return out.empty() ? "none" : out;
}

}  // namespace

PerformanceReport build_report(const Topology& topology, const std::vector<Snapshot>& snapshots,
                               const PolicyConfig& config) {
  PerformanceReport r;
  r.snapshots = static_cast<int>(snapshots.size());
  if (snapshots.empty()) return r;
  // The whole span as one snapshot: CPU time summed, memory as last seen.
  Snapshot total;
  total.timestamp_ns = snapshots.back().timestamp_ns;
  std::map<int, ProcessSample> by_pid;
  std::map<int, std::pair<double, double>> reported_locality;  // pid -> (cpu-weighted sum, cpu)
  double interval_total = 0;
  for (const auto& s : snapshots) {
    interval_total += s.interval_ns / 1e9;
    for (const auto& p : s.processes) {
      ProcessSample& agg = by_pid[p.pid];
      std::uint64_t cpu = 0;
      for (const auto& [n, ns] : p.cpu_ns_by_node) {
        agg.cpu_ns_by_node[n] += ns;
        cpu += ns;
      }
      agg.pid = p.pid;
      agg.comm = p.comm;
      agg.cgroup = p.cgroup;
      agg.container = p.container;
      agg.threads = p.threads;
      agg.memory_bytes_by_node = p.memory_bytes_by_node;
      agg.numa_faults_local += p.numa_faults_local;
      agg.numa_faults_remote += p.numa_faults_remote;
      if (p.locality) {
        reported_locality[p.pid].first += *p.locality * cpu;
        reported_locality[p.pid].second += cpu;
        agg.locality_source = p.locality_source;
      }
    }
    total.nodes = s.nodes;
  }
  r.seconds = interval_total;
  total.interval_ns = static_cast<std::uint64_t>(interval_total * 1e9);
  const NodeTable nodes = NodeTable::from_topology(topology);
  double weighted = 0, cpu_total = 0, remote_faults = 0;
  for (auto& [pid, p] : by_pid) {
    std::uint64_t cpu_ns = 0;
    for (const auto& [n, ns] : p.cpu_ns_by_node) cpu_ns += ns;
    const double cpu = cpu_ns / 1e9;
    double locality;
    std::string source;
    if (auto it = reported_locality.find(pid); it != reported_locality.end() && it->second.second > 0) {
      locality = it->second.first / it->second.second;
      source = p.locality_source.empty() ? "pipeline" : p.locality_source;
    } else {
      // Threads' CPU time by node against memory by node: the share that lands on the same node.
      std::vector<double> c(nodes.size(), 0.0), m(nodes.size(), 0.0);
      for (const auto& [n, ns] : p.cpu_ns_by_node)
        if (int i = nodes.index(n); i >= 0) c[i] += ns;
      for (const auto& [n, b] : p.memory_bytes_by_node)
        if (int i = nodes.index(n); i >= 0) m[i] += b;
      locality = 1.0 - remote_share(normalise(c), normalise(m));
      source = "cpu-by-node x memory-by-node";
    }
    weighted += cpu * locality;
    cpu_total += cpu;
    r.remote_cpu_seconds += cpu * (1 - locality);
    remote_faults += p.numa_faults_remote;
    if (locality < 0.8 && cpu / std::max(interval_total, 1e-9) >= config.min_cpu_cores / 4)
      r.findings.push_back({pid, p.comm, cpu, locality, source,
                            fmt::format("threads: {}; memory: {}", shares(p.cpu_ns_by_node), shares(p.memory_bytes_by_node))});
    total.processes.push_back(p);
  }
  r.efficiency_score = cpu_total > 0 ? 100.0 * weighted / cpu_total : 100.0;
  r.remote_fault_pages_per_second = interval_total > 0 ? remote_faults / interval_total : 0;
  std::sort(r.findings.begin(), r.findings.end(), [](const ProcessFinding& a, const ProcessFinding& b) {
    return a.cpu_seconds * (1 - a.locality) > b.cpu_seconds * (1 - b.locality);
  });
  PolicyState fresh;
  r.recommendations = decide(topology, total, {}, config, fresh, total.timestamp_ns / 1e9);
  return r;
}

}  // namespace aurora::coord
