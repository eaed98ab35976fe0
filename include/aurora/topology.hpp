// The machine's NUMA topology: nodes, CPUs, caches, memory, distances and devices.
//
// Read from a HostRoot (the live system or a captured/fake tree), through hwloc and libnuma
// where they do the job and sysfs where they do not. Shared by the pipeline (CPU -> node
// attribution), the dashboard, the coordinator and the simulator (which builds one by hand).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "aurora/host_root.hpp"
#include "aurora/result.hpp"

namespace aurora {

struct CpuInfo {
  int id = 0;          // OS (logical) CPU id
  int node = -1;       // NUMA node it belongs to
  int package = -1;    // physical_package_id
  int core = -1;       // core_id (unique within a package)
  int llc = -1;        // index into Topology::llc_groups
  std::vector<int> smt_siblings;  // thread_siblings_list, itself included
};

struct LlcGroup {
  int id = 0;
  std::vector<int> cpus;
  std::uint64_t size_bytes = 0;
};

struct NodeInfo {
  int id = 0;                       // OS node id (may be sparse: 0 and 2)
  std::vector<int> cpus;            // online CPUs; empty for a memory-only node
  std::uint64_t memory_total_bytes = 0;
  std::uint64_t memory_free_bytes = 0;
  std::map<std::uint64_t, std::uint64_t> hugepages_total;  // page size bytes -> count
  std::map<std::uint64_t, std::uint64_t> hugepages_free;
  std::map<int, int> distances;     // node id -> SLIT distance (10 = local)
  std::string memory_kind;          // "DRAM", "HBM", "CXL", ... or "" when unknown
  bool cpuless() const { return cpus.empty(); }
};

struct PciDevice {
  std::string address;  // 0000:3b:00.0
  std::string kind;     // "network", "storage", "gpu", "other" (from the PCI class)
  std::string class_code;
  int node = -1;        // -1 when the firmware does not say
};

struct Topology {
  std::vector<NodeInfo> nodes;  // sorted by id
  std::vector<CpuInfo> cpus;    // online CPUs, sorted by id
  std::vector<LlcGroup> llc_groups;
  std::vector<PciDevice> devices;

  const NodeInfo* node(int id) const;
  // The node of an online CPU, or -1.
  int node_of_cpu(int cpu) const;
  // distance(a, b), or 10 when a == b, or 0 when unknown.
  int distance(int from, int to) const;
};

// Reads the topology under `root`. Errors name the file that is missing or malformed; a tree
// that is not a Linux sysfs at all is kBadInput.
Result<Topology> read_topology(const HostRoot& root);

// The online CPUs (/sys/devices/system/cpu/online), sorted; kBadInput when the list is empty.
Result<std::vector<int>> read_online_cpus(const HostRoot& root);

// The topology JSON contract: {"nodes":[{"id","cpus","memory_total_bytes","memory_free_bytes",
// "distances":{"0":10}}...], ...}.
void to_json(nlohmann::json& out, const Topology& topology);
Result<Topology> topology_from_json(const nlohmann::json& in);

}  // namespace aurora
