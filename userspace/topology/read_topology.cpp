// read_topology(): the machine's NUMA topology from sysfs under a HostRoot, enriched by hwloc.
//
// sysfs is the source of truth because it is what the kernel schedules and allocates by, it
// honours --root file by file (so a capture replays exactly), and it says which nodes own CPUs.
// libnuma is not used: it has no root prefix and reads these same files, so it could only
// repeat them for the live system (the root-layer test uses numactl as an independent check).
#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aurora/topology.hpp"
#include "topology/sysfs_readers.hpp"

namespace aurora {

using namespace topology_detail;

Result<Topology> read_topology(const HostRoot& root) {
  const auto started = std::chrono::steady_clock::now();
  if (!root.is_live() && !root.exists("/sys/devices/system"))
    return fail(ErrorKind::kBadInput,
                fmt::format("{} is not a Linux root: {} is missing (pass a directory made by "
                            "`aurora-numa-monitor topology --capture DIR`)",
                            root.prefix().string(), root.path("/sys/devices/system").string()));

  auto online_cpus = read_online_cpus(root);
  if (!online_cpus) return tl::unexpected(with_context(online_cpus.error(), "reading online CPUs"));
  auto nodes = read_nodes(root, *online_cpus);
  if (!nodes) return tl::unexpected(with_context(nodes.error(), "reading NUMA nodes"));
  auto cpus = read_cpu_topology(root, *online_cpus, *nodes);
  if (!cpus) return tl::unexpected(with_context(cpus.error(), "reading CPU topology"));
  auto devices = read_pci_devices(root);
  if (!devices) return tl::unexpected(with_context(devices.error(), "reading PCI devices"));
  if (auto ok = classify_memory(root, *nodes); !ok)
    return tl::unexpected(with_context(ok.error(), "reading memory kinds"));

  Topology topology;
  topology.nodes = std::move(*nodes);
  topology.cpus = std::move(cpus->cpus);
  topology.llc_groups = std::move(cpus->llc_groups);
  topology.devices = std::move(*devices);
  spdlog::debug("topology: {} nodes, {} online CPUs, {} LLC groups, {} PCI devices in {} us",
                topology.nodes.size(), topology.cpus.size(), topology.llc_groups.size(),
                topology.devices.size(),
                std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - started)
                    .count());
  return topology;
}

}  // namespace aurora
