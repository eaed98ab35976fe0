// NUMA nodes from /sys/devices/system/node: which exist, their CPUs, memory, hugepages and
// SLIT distances. These files are what libnuma and hwloc read too; reading them directly is
// what lets --root point the whole program at a captured or hand-built tree.
#include <algorithm>
#include <charconv>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "topology/sysfs_readers.hpp"

namespace aurora::topology_detail {

namespace {

std::string node_path(int id, const std::string& leaf) {
  return fmt::format("{}/node{}/{}", kNodeDir, id, leaf);
}

// nodeN/meminfo lines look like "Node 0 MemTotal:       5072672 kB".
Result<void> read_meminfo(const HostRoot& root, NodeInfo& node) {
  const std::string file = node_path(node.id, "meminfo");
  auto text = root.read_text(file);
  if (!text) return tl::unexpected(text.error());
  bool have_total = false;
  bool have_free = false;
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string word_node, key, unit;
    int id = -1;
    std::uint64_t value = 0;
    if (!(fields >> word_node >> id >> key >> value) || word_node != "Node") continue;
    fields >> unit;
    const std::uint64_t bytes = unit == "kB" ? value * 1024 : value;
    if (key == "MemTotal:") {
      node.memory_total_bytes = bytes;
      have_total = true;
    } else if (key == "MemFree:") {
      node.memory_free_bytes = bytes;
      have_free = true;
    }
  }
  if (!have_total || !have_free)
    return fail(ErrorKind::kBadInput,
                fmt::format("{}: no 'Node {} MemTotal:' and 'MemFree:' lines; is this a node "
                            "meminfo file?",
                            root.path(file).string(), node.id));
  return {};
}

// nodeN/hugepages/hugepages-2048kB/{nr,free}_hugepages. No hugepages directory means a
// kernel without hugetlbfs: no hugepages, not an error.
Result<void> read_hugepages(const HostRoot& root, NodeInfo& node) {
  const std::string dir = node_path(node.id, "hugepages");
  auto entries = root.list_dir(dir);
  if (!entries) {
    if (entries.error().kind == ErrorKind::kNotFound) return {};
    return tl::unexpected(entries.error());
  }
  std::sort(entries->begin(), entries->end());
  for (const std::string& name : *entries) {
    // "hugepages-" <size> "kB"
    constexpr std::string_view prefix = "hugepages-";
    std::uint64_t kib = 0;
    const bool shaped = name.size() > prefix.size() + 2 && name.rfind(prefix, 0) == 0 &&
                        name.compare(name.size() - 2, 2, "kB") == 0;
    const char* first = name.data() + prefix.size();
    const char* last = name.data() + name.size() - 2;
    if (!shaped || std::from_chars(first, last, kib).ptr != last)
      return fail(ErrorKind::kBadInput,
                  fmt::format("{}/{}: expected a directory named like hugepages-2048kB",
                              root.path(dir).string(), name));
    auto total = read_decimal(root, dir + "/" + name + "/nr_hugepages");
    if (!total) return tl::unexpected(total.error());
    auto free = read_decimal(root, dir + "/" + name + "/free_hugepages");
    if (!free) return tl::unexpected(free.error());
    node.hugepages_total[kib * 1024] = static_cast<std::uint64_t>(std::max(0LL, *total));
    node.hugepages_free[kib * 1024] = static_cast<std::uint64_t>(std::max(0LL, *free));
  }
  return {};
}

// nodeN/distance holds one SLIT entry per online node, in the order of node/online.
Result<void> read_distances(const HostRoot& root, NodeInfo& node, const std::vector<int>& ids) {
  const std::string file = node_path(node.id, "distance");
  auto text = root.read_text(file);
  if (!text) return tl::unexpected(text.error());
  std::istringstream fields(*text);
  std::vector<int> values;
  std::string word;
  while (fields >> word) {
    int value = 0;
    auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (ec != std::errc() || ptr != word.data() + word.size() || value <= 0)
      return fail(ErrorKind::kBadInput, fmt::format("{}: '{}' is not a distance",
                                                    root.path(file).string(), word));
    values.push_back(value);
  }
  if (values.size() != ids.size())
    return fail(ErrorKind::kBadInput,
                fmt::format("{}: {} distances for {} online nodes", root.path(file).string(),
                            values.size(), ids.size()));
  for (size_t i = 0; i < ids.size(); ++i) node.distances[ids[i]] = values[i];
  return {};
}

}  // namespace

Result<std::vector<NodeInfo>> read_nodes(const HostRoot& root, const std::vector<int>& online_cpus) {
  auto ids = read_id_list(root, fmt::format("{}/online", kNodeDir));
  if (!ids) return tl::unexpected(ids.error());
  if (ids->empty())
    return fail(ErrorKind::kBadInput, fmt::format("{}/online lists no node",
                                                  root.path(kNodeDir).string()));

  // has_cpu is the kernel's own list of nodes with CPUs (N_CPU). Nodes outside it are
  // memory-only (CXL expanders, HBM in flat mode, PMEM) even if hwloc gives them a cpuset,
  // which there means "close to", not "owns". Kernels before 2.6.35 lack the file.
  std::vector<int> with_cpus;
  const std::string has_cpu = fmt::format("{}/has_cpu", kNodeDir);
  auto listed = read_id_list(root, has_cpu);
  const bool have_has_cpu = static_cast<bool>(listed);
  if (listed) {
    with_cpus = *listed;
  } else if (listed.error().kind != ErrorKind::kNotFound) {
    return tl::unexpected(listed.error());
  }

  std::vector<NodeInfo> nodes;
  for (int id : *ids) {
    NodeInfo node;
    node.id = id;
    auto cpus = read_id_list(root, node_path(id, "cpulist"));
    if (!cpus) return tl::unexpected(cpus.error());
    const bool owns_cpus =
        !have_has_cpu || std::binary_search(with_cpus.begin(), with_cpus.end(), id);
    if (owns_cpus) {
      std::set_intersection(cpus->begin(), cpus->end(), online_cpus.begin(), online_cpus.end(),
                            std::back_inserter(node.cpus));
    } else if (!cpus->empty()) {
      spdlog::debug("node {}: cpulist {} but not in has_cpu; treating it as memory-only", id,
                    cpus->size());
    }
    if (auto ok = read_meminfo(root, node); !ok) return tl::unexpected(ok.error());
    if (auto ok = read_hugepages(root, node); !ok) return tl::unexpected(ok.error());
    if (auto ok = read_distances(root, node, *ids); !ok) return tl::unexpected(ok.error());
    nodes.push_back(std::move(node));
  }
  return nodes;
}

}  // namespace aurora::topology_detail
