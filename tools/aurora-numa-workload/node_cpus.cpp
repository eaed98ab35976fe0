#include "node_cpus.hpp"

#include <numa.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace aurora::workload {

Result<void> require_online_node(int node) {
  if (numa_available() < 0)
    return fail(ErrorKind::kUnsupported,
                "NUMA syscalls are unavailable on this kernel (numa_available() < 0)");
  if (node < 0 || node > numa_max_node() || !numa_bitmask_isbitset(numa_all_nodes_ptr, node))
    return fail(ErrorKind::kBadInput,
                fmt::format("node {} is not an online NUMA node here (online: 0..{}; see "
                            "/sys/devices/system/node/online)",
                            node, numa_max_node()));
  return {};
}

Result<cpu_set_t> cpus_of_node(int node) {
  if (auto ok = require_online_node(node); !ok) return tl::unexpected(ok.error());
  std::unique_ptr<bitmask, decltype(&numa_free_cpumask)> mask(numa_allocate_cpumask(),
                                                             &numa_free_cpumask);
  if (numa_node_to_cpus(node, mask.get()) != 0)
    return fail(ErrorKind::kRuntime,
                fmt::format("cannot read the CPUs of node {}: {}", node, std::strerror(errno)));
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  for (unsigned cpu = 0; cpu < mask->size && cpu < CPU_SETSIZE; ++cpu)
    if (numa_bitmask_isbitset(mask.get(), cpu)) CPU_SET(cpu, &cpus);
  if (CPU_COUNT(&cpus) == 0)
    return fail(ErrorKind::kBadInput,
                fmt::format("node {} has no CPUs (a CPU-less memory node): threads cannot run "
                            "there; pick a node with CPUs",
                            node));
  return cpus;
}

Result<cpu_set_t> current_affinity() {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (sched_getaffinity(0, sizeof(cpus), &cpus) != 0)
    return fail(ErrorKind::kRuntime,
                fmt::format("sched_getaffinity failed: {}", std::strerror(errno)));
  return cpus;
}

Result<void> pin_calling_thread(const cpu_set_t& cpus) {
  if (sched_setaffinity(0, sizeof(cpus), &cpus) != 0)
    return fail(ErrorKind::kRuntime,
                fmt::format("sched_setaffinity to {} CPU(s) failed: {} (are they online and in "
                            "this cpuset?)",
                            CPU_COUNT(&cpus), std::strerror(errno)));
  return {};
}

}  // namespace aurora::workload
