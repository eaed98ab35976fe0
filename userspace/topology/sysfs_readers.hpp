// The pieces read_topology() is assembled from, one concept per file:
//   sysfs_values.cpp    small typed reads (lists, integers, sizes) that name the file on error
//   sysfs_nodes.cpp     NUMA nodes: ids, CPUs, meminfo, hugepages, distances
//   sysfs_cpus.cpp      online CPUs: package, core, SMT siblings, last-level cache groups
//   pci_devices.cpp     PCI devices: class and NUMA node
//   memory_kind.cpp     DRAM / HBM / CXL / ... per node (sysfs facts first, then hwloc)
//   hwloc_memory.cpp    hwloc's view of NUMA node subtypes, under the same root prefix
// Internal to userspace/; the public API is include/aurora/topology.hpp.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aurora/host_root.hpp"
#include "aurora/result.hpp"
#include "aurora/topology.hpp"

namespace aurora::topology_detail {

inline constexpr const char* kNodeDir = "/sys/devices/system/node";
inline constexpr const char* kCpuDir = "/sys/devices/system/cpu";

// --- sysfs_values.cpp ---
// A kernel list file ("0-3,8"); errors name the file.
Result<std::vector<int>> read_id_list(const HostRoot& root, const std::string& absolute);
// A decimal integer file; errors name the file.
Result<long long> read_decimal(const HostRoot& root, const std::string& absolute);
// A cache size file ("32768K", "1M", "512"), in bytes; errors name the file.
Result<std::uint64_t> read_size(const HostRoot& root, const std::string& absolute);
// Prefixes an error's message with what was being read, keeping its kind.
Error with_context(const Error& error, const std::string& context);

// --- sysfs_nodes.cpp ---
// Online nodes sorted by id, with CPUs (restricted to `online_cpus`), memory, hugepages and
// distances filled in; memory_kind left empty.
Result<std::vector<NodeInfo>> read_nodes(const HostRoot& root, const std::vector<int>& online_cpus);

// --- sysfs_cpus.cpp (read_online_cpus is public: aurora/topology.hpp) ---
// One CpuInfo per online CPU, with its node taken from `nodes`, and the LLC groups they share.
struct CpuTopology {
  std::vector<CpuInfo> cpus;
  std::vector<LlcGroup> llc_groups;
};
Result<CpuTopology> read_cpu_topology(const HostRoot& root, const std::vector<int>& online_cpus,
                                      const std::vector<NodeInfo>& nodes);

// --- pci_devices.cpp ---
// Every PCI function with its class and node; none when the machine has no PCI bus.
Result<std::vector<PciDevice>> read_pci_devices(const HostRoot& root);
// "network", "storage", "gpu", "accelerator" or "other" from a class code like "0x020000".
std::string pci_kind_of_class(const std::string& class_code);

// --- hwloc_memory.cpp ---
// hwloc's NUMA node subtypes (os index -> "DRAM", "HBM", "MCDRAM", "NVM", "SPM", ...; nodes
// without one are absent), read under root's prefix with HWLOC_FSROOT. nullopt, with a debug
// log line, when hwloc's Linux backend cannot read the tree or its nodes disagree with
// `sysfs_node_ids`: sysfs stays the source of truth.
std::optional<std::map<int, std::string>> hwloc_memory_subtypes(
    const HostRoot& root, const std::vector<int>& sysfs_node_ids);

// --- memory_kind.cpp ---
// Fills NodeInfo::memory_kind: "CXL" from the kernel's CXL regions, "HBM" for a CPU-less node
// the HMAT says is faster than CPU-attached memory, "DRAM" for a node with CPUs, hwloc's
// subtype for the nodes still open, else "" (unknown). See memory_kind.cpp.
Result<void> classify_memory(const HostRoot& root, std::vector<NodeInfo>& nodes);
// The kind for an hwloc subtype ("MCDRAM" -> "HBM", "CXL-DRAM" -> "CXL"), "" if unknown.
std::string memory_kind_of_hwloc_subtype(const std::string& subtype);

}  // namespace aurora::topology_detail
