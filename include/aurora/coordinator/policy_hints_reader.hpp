// PolicyHints from the live system: what /proc says about the snapshot's processes that the
// snapshot itself does not carry (kernel threads, memory shared between processes,
// application-chosen thread placement). docs/coordinator.md ("Groups") gives the rules.
#pragma once

#include <cstddef>
#include <cstdint>

#include "aurora/coordinator/placement_policy.hpp"
#include "aurora/coordinator/workload_class.hpp"
#include "aurora/host_root.hpp"
#include "aurora/result.hpp"
#include "aurora/snapshot.hpp"

namespace aurora::coord {

struct PolicyHintsOptions {
  // numa_maps (a page-table walk of the whole process) is read only for processes whose
  // resident set (/proc/PID/stat) is at least this large, and only when their maps show a
  // shared object of at least min_shared_resident_bytes: pass the policy's min_rss_bytes.
  // Other threads' sched files (numa groups) are also read only above it.
  std::uint64_t numa_maps_min_rss_bytes = 64ull << 20;
  // A shared object joins two processes only when each has at least this much of it resident.
  std::uint64_t min_shared_resident_bytes = 16ull << 20;
  // The policy's class thresholds: device nodes are looked up for IO-bound processes only.
  ClassThresholds classes;
  // At most this many open files of a process are resolved to devices.
  std::size_t max_open_files = 1024;
};

// For every process of `snapshot`:
//  - kernel_threads: PF_KTHREAD in /proc/PID/stat;
//  - share_group: "numa_group:G" when two or more snapshot processes report AutoNUMA numa_group
//    G (/proc/PID/sched, any thread), "shm:<dev>:<inode>" when two or more map the same SysV,
//    /dev/shm, memfd or anonymous MAP_SHARED object (inherited across fork) shared with at least
//    min_shared_resident_bytes resident, "file:<dev>:<inode>" for a regular file two or more map
//    MAP_SHARED with as much resident; groups that share a member are merged and named by
//    their smallest key;
//  - shared_objects: each such object's resident bytes by node as the process maps it (from the
//    same maps/numa_maps read), so the policy counts it once per group;
//  - allowed_cpus: the union of its threads' masks (Cpus_allowed_list of every thread);
//  - cpusets: the CPUs its cpuset cgroup allows (cpuset_cpus_of: /proc/PID/cpuset, then the
//    cgroup's effective CPUs; empty when unreadable) and the memory nodes (Mems_allowed_list of
//    /proc/PID/status);
//  - threads_fixed: at least two threads with masks narrower than that union that differ from
//    each other;
//  - device_node: for IO-bound processes (classify() with `classes`), the node of the devices
//    behind their open files when those that resolve all lie on one node
//    (hints_detail::io_device_node); absent otherwise.
// A process that exits while being read is skipped. Other failures (a file that does not parse,
// permission denied) are returned naming the file.
Result<PolicyHints> read_policy_hints(const HostRoot& root, const Snapshot& snapshot,
                                      const PolicyHintsOptions& options = {});

}  // namespace aurora::coord
