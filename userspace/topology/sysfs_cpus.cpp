// Online CPUs from /sys/devices/system/cpu: package, core, SMT siblings, and the last-level
// cache each one shares. Offline CPUs are left out everywhere: nothing runs there, and their
// topology files are absent on most kernels.
#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "topology/sysfs_readers.hpp"

namespace aurora::topology_detail {

namespace {

std::string cpu_path(int cpu, const std::string& leaf) {
  return fmt::format("{}/cpu{}/{}", kCpuDir, cpu, leaf);
}

std::vector<int> only_online(const std::vector<int>& ids, const std::vector<int>& online) {
  std::vector<int> out;
  std::set_intersection(ids.begin(), ids.end(), online.begin(), online.end(),
                        std::back_inserter(out));
  return out;
}

struct CacheLevel {
  std::string index_dir;  // /sys/devices/system/cpu/cpuN/cache/indexK
  int level = 0;
};

// The highest-level data or unified cache of `cpu` (L3 on x86 and most Arm servers; L2 where
// the firmware describes no L3), or level 0 when the kernel exposes no cache information
// (common in VMs).
Result<CacheLevel> last_level_cache(const HostRoot& root, int cpu) {
  const std::string dir = cpu_path(cpu, "cache");
  auto entries = root.list_dir(dir);
  if (!entries) {
    if (entries.error().kind == ErrorKind::kNotFound) return CacheLevel{};
    return tl::unexpected(entries.error());
  }
  std::sort(entries->begin(), entries->end());
  CacheLevel best;
  for (const std::string& name : *entries) {
    if (name.rfind("index", 0) != 0) continue;
    const std::string index_dir = dir + "/" + name;
    auto level = read_decimal(root, index_dir + "/level");
    if (!level) return tl::unexpected(level.error());
    auto type = root.read_line(index_dir + "/type");
    if (!type) return tl::unexpected(type.error());
    if (*type == "Instruction") continue;
    if (*level > best.level) best = CacheLevel{index_dir, static_cast<int>(*level)};
  }
  return best;
}

}  // namespace

Result<CpuTopology> read_cpu_topology(const HostRoot& root, const std::vector<int>& online_cpus,
                                      const std::vector<NodeInfo>& nodes) {
  CpuTopology out;
  for (int id : online_cpus) {
    CpuInfo cpu;
    cpu.id = id;
    for (const NodeInfo& node : nodes)
      if (std::binary_search(node.cpus.begin(), node.cpus.end(), id)) cpu.node = node.id;
    if (cpu.node < 0) spdlog::debug("cpu {} is online but in no node's cpulist", id);

    auto package = read_decimal(root, cpu_path(id, "topology/physical_package_id"));
    if (!package) return tl::unexpected(package.error());
    auto core = read_decimal(root, cpu_path(id, "topology/core_id"));
    if (!core) return tl::unexpected(core.error());
    auto siblings = read_id_list(root, cpu_path(id, "topology/thread_siblings_list"));
    if (!siblings) return tl::unexpected(siblings.error());
    cpu.package = static_cast<int>(*package);
    cpu.core = static_cast<int>(*core);
    cpu.smt_siblings = only_online(*siblings, online_cpus);
    if (cpu.smt_siblings.empty()) cpu.smt_siblings = {id};
    out.cpus.push_back(std::move(cpu));
  }

  // LLC groups: one CPU per group is enough to learn the group (its shared_cpu_list names the
  // others), so each group's files are read once, not once per CPU.
  for (CpuInfo& cpu : out.cpus) {
    if (cpu.llc >= 0) continue;
    auto cache = last_level_cache(root, cpu.id);
    if (!cache) return tl::unexpected(cache.error());
    if (cache->level == 0) continue;
    auto shared = read_id_list(root, cache->index_dir + "/shared_cpu_list");
    if (!shared) return tl::unexpected(shared.error());
    auto size = read_size(root, cache->index_dir + "/size");
    if (!size) return tl::unexpected(size.error());
    LlcGroup group;
    group.id = static_cast<int>(out.llc_groups.size());
    group.cpus = only_online(*shared, online_cpus);
    group.size_bytes = *size;
    if (!std::binary_search(group.cpus.begin(), group.cpus.end(), cpu.id))
      return fail(ErrorKind::kBadInput,
                  fmt::format("{}/shared_cpu_list does not include cpu {} itself",
                              root.path(cache->index_dir).string(), cpu.id));
    for (CpuInfo& member : out.cpus)
      if (member.llc < 0 && std::binary_search(group.cpus.begin(), group.cpus.end(), member.id))
        member.llc = group.id;
    out.llc_groups.push_back(std::move(group));
  }
  return out;
}

}  // namespace aurora::topology_detail

namespace aurora {

Result<std::vector<int>> read_online_cpus(const HostRoot& root) {
  using topology_detail::kCpuDir;
  auto online = topology_detail::read_id_list(root, fmt::format("{}/online", kCpuDir));
  if (!online) return tl::unexpected(online.error());
  if (online->empty())
    return fail(ErrorKind::kBadInput,
                fmt::format("{}/online lists no CPU", root.path(kCpuDir).string()));
  return online;
}

}  // namespace aurora
