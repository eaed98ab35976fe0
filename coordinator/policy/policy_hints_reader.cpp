// read_policy_hints: the live system's answers to what the policy cannot see in a snapshot.
// Pids vanish at any moment; every per-process read treats kNotFound as "skip this process".
#include "aurora/coordinator/policy_hints_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "aurora/coordinator/actuators.hpp"
#include "aurora/coordinator/process_handle.hpp"
#include "aurora/procfs.hpp"
#include "aurora/topology.hpp"
#include "policy/hint_signals.hpp"

namespace aurora::coord {

namespace {

bool vanished(const Error& error) { return error.kind == ErrorKind::kNotFound; }

// AutoNUMA forms numa groups only while it runs: with kernel.numa_balancing=0 (or a kernel
// without it) no group ids are fresh, so /proc/PID/sched is not read at all.
bool numa_balancing_enabled(const HostRoot& root) {
  auto mode = root.read_integer("/proc/sys/kernel/numa_balancing");
  return mode && *mode != 0;
}

// The process's numa_group id, 0 for none. The group is per task and a main thread that only
// waits never faults, so it joins no group while its workers do: when it reports none, the
// other threads are asked until one reports a group.
Result<int> numa_group_of(const HostRoot& root, int pid, bool ask_every_thread) {
  auto main_thread = read_proc_sched_numa(root, pid);
  if (!main_thread) return tl::unexpected(main_thread.error());
  if (main_thread->numa_group_id != 0 || !ask_every_thread) return main_thread->numa_group_id;
  auto tids = list_tids(root, pid);
  if (!tids) return tl::unexpected(tids.error());
  for (int tid : *tids) {
    if (tid == pid) continue;
    auto thread = read_proc_sched_numa(root, pid, tid);
    if (!thread) {
      if (vanished(thread.error())) continue;
      return tl::unexpected(thread.error());
    }
    if (thread->numa_group_id != 0) return thread->numa_group_id;
  }
  return 0;
}

// Union-find over pids: processes that share any key end up in one component.
class PidComponents {
 public:
  void join(int a, int b) {
    const int root_a = find(a), root_b = find(b);
    if (root_a != root_b) parent_[std::max(root_a, root_b)] = std::min(root_a, root_b);
  }
  int find(int pid) {
    auto it = parent_.try_emplace(pid, pid).first;
    if (it->second == pid) return pid;
    const int root = find(it->second);
    parent_[pid] = root;
    return root;
  }

 private:
  std::map<int, int> parent_;
};

// key -> pids holding it; keys held by one process only are dropped (a numa_group among the
// threads of one process, a segment nobody else maps); the rest are merged into components,
// each named by its smallest key so the name does not depend on reading order.
std::map<int, std::string> share_groups(const std::map<std::string, std::set<int>>& pids_by_key) {
  PidComponents components;
  for (const auto& [key, pids] : pids_by_key) {
    if (pids.size() < 2) continue;
    for (int pid : pids) components.join(*pids.begin(), pid);
  }
  std::map<int, std::string> name_of_component;
  for (const auto& [key, pids] : pids_by_key) {  // std::map: keys in ascending order
    if (pids.size() < 2) continue;
    name_of_component.try_emplace(components.find(*pids.begin()), key);
  }
  std::map<int, std::string> group_of_pid;
  for (const auto& [key, pids] : pids_by_key) {
    if (pids.size() < 2) continue;
    for (int pid : pids) group_of_pid[pid] = name_of_component.at(components.find(pid));
  }
  return group_of_pid;
}

std::uint64_t page_size() {
  const long size = ::sysconf(_SC_PAGESIZE);
  return size > 0 ? static_cast<std::uint64_t>(size) : 4096;
}

}  // namespace

Result<PolicyHints> read_policy_hints(const HostRoot& root, const Snapshot& snapshot,
                                      const PolicyHintsOptions& options) {
  PolicyHints hints;
  const bool read_numa_groups = numa_balancing_enabled(root);
  const double interval = snapshot.interval_ns > 0 ? static_cast<double>(snapshot.interval_ns) / 1e9 : 1.0;
  hints_detail::DeviceNodeResolver devices(root);
  // Once per call, not once per process; unreadable leaves each cpuset as its cgroup says.
  const std::vector<int> online = read_online_cpus(root).value_or(std::vector<int>{});
  std::map<std::string, std::set<int>> pids_by_key;
  std::set<int> seen;
  for (const auto& process : snapshot.processes) {
    const int pid = process.pid;
    if (!seen.insert(pid).second) continue;  // each process read at most once per call

    // Each step may find the process gone: reading it stops, keeping what was already learnt.
    auto identity = read_identity(root, pid);
    if (!identity) {
      if (vanished(identity.error())) continue;
      return tl::unexpected(identity.error());
    }
    if (identity->kernel_thread) {
      hints.kernel_threads.insert(pid);
      continue;  // no memory, and never touched: nothing else to learn
    }
    auto stat = read_task_stat(root, pid);
    if (!stat) {
      if (vanished(stat.error())) continue;
      return tl::unexpected(stat.error());
    }
    const bool large = stat->rss_pages * page_size() >= options.numa_maps_min_rss_bytes;

    auto placement = hints_detail::thread_placement(root, pid);
    if (!placement) {
      if (vanished(placement.error())) continue;
      return tl::unexpected(placement.error());
    }
    if (placement->pinned_by_application) hints.threads_fixed.insert(pid);
    hints.allowed_cpus[pid] = std::move(placement->allowed_cpus);

    // Its cpuset: the CPUs from the cgroup (the threads' masks may be narrower by choice, which
    // the coordinator may change; the cpuset it may not), the memory nodes from its status.
    auto mems = read_task_mems_allowed(root, pid, pid);
    if (!mems) {
      if (vanished(mems.error())) continue;
      return tl::unexpected(mems.error());
    }
    auto cpus = cpuset_cpus_of(root, pid, online);
    hints.cpusets[pid] = {cpus ? std::move(*cpus) : std::vector<int>{}, std::move(*mems)};

    if (read_numa_groups) {
      // kNotFound is also a kernel without CONFIG_SCHED_DEBUG (no sched file): no group then,
      // and a process that really exited is caught by the next read.
      auto group = numa_group_of(root, pid, /*ask_every_thread=*/large);
      if (!group && !vanished(group.error())) return tl::unexpected(group.error());
      if (group && *group != 0) pids_by_key[fmt::format("numa_group:{}", *group)].insert(pid);
    }

    // Only IO-bound work is placed by its device (the policy's class, from the same snapshot):
    // a CPU-bound process with a log file open has no reason to sit near the log's disk.
    if (classify(process, interval, options.classes).workload_class == WorkloadClass::kIoBound) {
      auto node = hints_detail::io_device_node(root, pid, devices, options.max_open_files);
      if (!node) {
        if (vanished(node.error())) continue;
        if (node.error().kind != ErrorKind::kPermission) return tl::unexpected(node.error());
      } else if (*node >= 0) {
        hints.device_node[pid] = *node;
      }
    }

    if (large) {
      auto objects = hints_detail::shared_memory_objects(root, pid, options.min_shared_resident_bytes);
      if (!objects) {
        if (vanished(objects.error())) continue;
        return tl::unexpected(objects.error());
      }
      for (const auto& [key, bytes] : *objects) pids_by_key[key].insert(pid);
      if (!objects->empty()) hints.shared_objects[pid] = std::move(*objects);
    }
  }
  hints.share_group = share_groups(pids_by_key);
  return hints;
}

}  // namespace aurora::coord
