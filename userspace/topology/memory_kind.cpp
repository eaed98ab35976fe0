// What kind of memory each node holds. Facts from sysfs come first, because they are read
// through the HostRoot and so replay identically from a capture; hwloc is asked only about
// nodes those facts leave open:
//   1. the kernel's CXL bus: a node that is the target_node of a DAX device carved from a CXL
//      region is CXL-attached memory;
//   2. the firmware's HMAT, as the kernel exports it (nodeN/access1 or access0/initiators/
//      read_bandwidth): a CPU-less node faster than every CPU node's own memory is HBM;
//   3. a node with CPUs of its own holds the DIMMs of that socket: DRAM;
//   4. hwloc's NUMANode subtype (HBM, MCDRAM, NVM, SPM, GPUMemory, CXL-DRAM), which also
//      weighs DAX device types and Xeon Phi MCDRAM tables;
//   5. otherwise unknown (""), rather than a guess: a CPU-less node may be HBM, CXL, PMEM or
//      another socket's DRAM.
#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "topology/sysfs_readers.hpp"

namespace aurora::topology_detail {

namespace {

constexpr const char* kCxlDevices = "/sys/bus/cxl/devices";

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// Nodes backed by CXL regions: /sys/bus/cxl/devices/regionR/dax_regionR/daxR.M/target_node.
Result<std::vector<int>> cxl_nodes(const HostRoot& root) {
  std::vector<int> nodes;
  auto devices = root.list_dir(kCxlDevices);
  if (!devices) {
    if (devices.error().kind == ErrorKind::kNotFound) return nodes;  // no CXL bus
    return tl::unexpected(devices.error());
  }
  std::sort(devices->begin(), devices->end());
  for (const std::string& region : *devices) {
    if (!starts_with(region, "region")) continue;
    const std::string region_dir = fmt::format("{}/{}", kCxlDevices, region);
    auto children = root.list_dir(region_dir);
    if (!children) return tl::unexpected(children.error());
    std::sort(children->begin(), children->end());
    for (const std::string& dax_region : *children) {
      if (!starts_with(dax_region, "dax_region")) continue;
      const std::string dax_region_dir = region_dir + "/" + dax_region;
      auto daxes = root.list_dir(dax_region_dir);
      if (!daxes) return tl::unexpected(daxes.error());
      std::sort(daxes->begin(), daxes->end());
      for (const std::string& dax : *daxes) {
        if (!starts_with(dax, "dax") || starts_with(dax, "dax_")) continue;
        auto target = read_decimal(root, dax_region_dir + "/" + dax + "/target_node");
        if (!target) {
          if (target.error().kind == ErrorKind::kNotFound) continue;
          return tl::unexpected(target.error());
        }
        if (*target >= 0) nodes.push_back(static_cast<int>(*target));
      }
    }
  }
  std::sort(nodes.begin(), nodes.end());
  return nodes;
}

// The node's read bandwidth in MB/s from the HMAT, preferring CPU initiators (access1) over
// any initiator (access0); 0 when the firmware has no HMAT.
Result<long long> hmat_read_bandwidth(const HostRoot& root, int node) {
  for (const char* access : {"access1", "access0"}) {
    auto value =
        read_decimal(root, fmt::format("/sys/devices/system/node/node{}/{}/initiators/"
                                       "read_bandwidth",
                                       node, access));
    if (value) return *value;
    if (value.error().kind != ErrorKind::kNotFound) return tl::unexpected(value.error());
  }
  return 0;
}

}  // namespace

std::string memory_kind_of_hwloc_subtype(const std::string& subtype) {
  if (subtype == "DRAM") return "DRAM";
  if (subtype == "HBM" || subtype == "MCDRAM") return "HBM";
  if (subtype == "NVM") return "NVM";
  if (subtype == "SPM") return "SPM";
  if (subtype == "GPUMemory") return "GPU";
  if (starts_with(subtype, "CXL")) return "CXL";
  return "";
}

Result<void> classify_memory(const HostRoot& root, std::vector<NodeInfo>& nodes) {
  auto cxl = cxl_nodes(root);
  if (!cxl) return tl::unexpected(cxl.error());

  std::map<int, long long> bandwidth;
  long long fastest_cpu_node = 0;
  for (const NodeInfo& node : nodes) {
    auto mbps = hmat_read_bandwidth(root, node.id);
    if (!mbps) return tl::unexpected(mbps.error());
    bandwidth[node.id] = *mbps;
    if (!node.cpus.empty()) fastest_cpu_node = std::max(fastest_cpu_node, *mbps);
  }

  std::vector<NodeInfo*> open;
  for (NodeInfo& node : nodes) {
    if (std::binary_search(cxl->begin(), cxl->end(), node.id))
      node.memory_kind = "CXL";
    else if (node.cpus.empty() && fastest_cpu_node > 0 && bandwidth[node.id] > fastest_cpu_node)
      node.memory_kind = "HBM";
    else if (!node.cpus.empty())
      node.memory_kind = "DRAM";
    else
      open.push_back(&node);
  }

  if (!open.empty()) {
    std::vector<int> ids;
    for (const NodeInfo& node : nodes) ids.push_back(node.id);
    if (const auto subtypes = hwloc_memory_subtypes(root, ids))
      for (NodeInfo* node : open)
        if (auto it = subtypes->find(node->id); it != subtypes->end())
          node->memory_kind = memory_kind_of_hwloc_subtype(it->second);
  }
  for (const NodeInfo& node : nodes)
    spdlog::debug("node {}: memory kind '{}'", node.id, node.memory_kind);
  return {};
}

}  // namespace aurora::topology_detail
