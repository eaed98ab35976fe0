// hwloc's opinion of what memory each NUMA node holds (its NUMANode subtype: DRAM, HBM,
// MCDRAM, NVM, SPM, GPUMemory, and CXL-DRAM from hwloc 2.10). hwloc combines firmware tables
// (HMAT bandwidths and latencies), DAX device types and Xeon Phi MCDRAM detection into this;
// reproducing that here would be a second, worse copy.
//
// hwloc has no root-prefix API in 2.x; the HWLOC_FSROOT environment variable is its way to read
// another tree. It is set only around hwloc_topology_load and restored after, so this must run
// before the program starts other threads that read the environment (read_topology is called
// once at startup).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>

#include <hwloc.h>
#include <spdlog/spdlog.h>

#include "topology/sysfs_readers.hpp"

namespace aurora::topology_detail {

namespace {

// Sets an environment variable for a scope and puts the previous value back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) previous_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (previous_)
      ::setenv(name_, previous_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> previous_;
};

struct TopologyDeleter {
  void operator()(hwloc_topology* topology) const noexcept { hwloc_topology_destroy(topology); }
};
using UniqueHwlocTopology = std::unique_ptr<hwloc_topology, TopologyDeleter>;

}  // namespace

std::optional<std::map<int, std::string>> hwloc_memory_subtypes(
    const HostRoot& root, const std::vector<int>& sysfs_node_ids) {
  const std::string where = root.is_live() ? "/" : root.prefix().string();
  const auto started = std::chrono::steady_clock::now();
  hwloc_topology_t raw = nullptr;
  int initialised = 0;
  {
    // hwloc's plugins (libpciaccess, OpenCL, GL, libxml) only discover I/O devices, which are
    // filtered out below; loading them costs more than the whole sysfs read.
    ScopedEnv no_plugins("HWLOC_PLUGINS_PATH", "/nonexistent/aurora-numa/no-hwloc-plugins");
    initialised = hwloc_topology_init(&raw);
  }
  if (initialised != 0) {
    spdlog::debug("hwloc: topology init failed; memory kinds come from sysfs only");
    return std::nullopt;
  }
  UniqueHwlocTopology topology(raw);
  // Only the Linux sysfs backend may speak: the x86 CPUID backend describes the CPU we run on,
  // not the tree under --root. I/O devices and caches are not needed here and cost time.
  hwloc_topology_set_components(raw, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "x86");
  // Nodes outside our cpuset cgroup are still nodes of the machine, as they are in sysfs.
  hwloc_topology_set_flags(raw, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
  hwloc_topology_set_io_types_filter(raw, HWLOC_TYPE_FILTER_KEEP_NONE);
  hwloc_topology_set_cache_types_filter(raw, HWLOC_TYPE_FILTER_KEEP_NONE);
  hwloc_topology_set_icache_types_filter(raw, HWLOC_TYPE_FILTER_KEEP_NONE);

  int loaded = 0;
  {
    // A partial or hand-built tree makes hwloc complain on stderr; its complaints are ours to
    // judge (below), not the user's to read.
    ScopedEnv quiet("HWLOC_HIDE_ERRORS", "2");
    std::optional<ScopedEnv> fsroot;
    if (!root.is_live()) fsroot.emplace("HWLOC_FSROOT", root.prefix().string());
    loaded = hwloc_topology_load(raw);
  }
  spdlog::debug("hwloc: initialised and loaded the topology under {} in {} us", where,
                std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - started)
                    .count());
  if (loaded != 0) {
    spdlog::debug("hwloc: cannot load the topology under {}; memory kinds come from sysfs only",
                  where);
    return std::nullopt;
  }

  // Without the Linux backend (a tree too partial for it: hwloc needs more of /sys than
  // aurora reads, so captures do not satisfy it) hwloc invents a one-node machine.
  const char* backend = hwloc_obj_get_info_by_name(hwloc_get_root_obj(raw), "Backend");
  if (backend == nullptr || std::string(backend) != "Linux") {
    spdlog::debug("hwloc: its Linux backend cannot read the tree under {}; memory kinds come "
                  "from sysfs only",
                  where);
    return std::nullopt;
  }

  std::map<int, std::string> subtypes;
  std::vector<int> hwloc_ids;
  for (hwloc_obj_t node = hwloc_get_next_obj_by_type(raw, HWLOC_OBJ_NUMANODE, nullptr);
       node != nullptr; node = hwloc_get_next_obj_by_type(raw, HWLOC_OBJ_NUMANODE, node)) {
    const int id = static_cast<int>(node->os_index);
    hwloc_ids.push_back(id);
    if (node->subtype != nullptr) subtypes[id] = node->subtype;
  }
  std::sort(hwloc_ids.begin(), hwloc_ids.end());
  if (hwloc_ids != sysfs_node_ids) {
    // hwloc fell back to a made-up single node, or read a different tree: trust neither.
    spdlog::debug("hwloc: sees {} NUMA nodes under {} where sysfs lists {}; ignoring hwloc",
                  hwloc_ids.size(), where, sysfs_node_ids.size());
    return std::nullopt;
  }
  return subtypes;
}

}  // namespace aurora::topology_detail
