// /proc readers: per-task CPU and state, memory placement by node, AutoNUMA's per-task view,
// the system-wide NUMA counters and the monitor's own footprint.
//
// Every reader takes a HostRoot so `--root` and the fake trees of the unit tests work. A
// process or thread that exits between listing and reading (ENOENT/ESRCH) is kNotFound naming
// the pid: callers skip it, it is never a crash. A file whose content does not parse is
// kBadInput naming the file. What each source means, its units and its cost:
// docs/locality-sources.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aurora/host_root.hpp"
#include "aurora/result.hpp"
#include "aurora/snapshot.hpp"  // NodeCounters

namespace aurora {

// sysconf(_SC_CLK_TCK): the unit of the tick fields of /proc/PID/stat (100 on Linux).
long clock_ticks_per_second();

// Clock ticks to nanoseconds, without overflow for any realistic tick count.
std::uint64_t ticks_to_ns(std::uint64_t ticks, long ticks_per_second = clock_ticks_per_second());

// One line of /proc/PID/stat or /proc/PID/task/TID/stat (see proc(5)).
struct TaskStat {
  int pid = 0;                        // thread group id (the process)
  int tid = 0;                        // thread id; equals pid for the stat of a whole process
  std::string comm;                   // may contain spaces and parentheses
  char state = '?';                   // R, S, D, Z, T, t, X, I, ...
  int ppid = 0;
  std::uint64_t minor_faults = 0;
  std::uint64_t major_faults = 0;
  std::uint64_t utime_ticks = 0;      // user CPU time, clock ticks
  std::uint64_t stime_ticks = 0;      // system CPU time, clock ticks
  long num_threads = 0;               // threads in the process
  std::uint64_t start_time_ticks = 0; // since boot, clock ticks: (pid, start) names a process
  int processor = -1;                 // CPU it last ran on
  std::uint64_t rss_pages = 0;        // resident set, pages of sysconf(_SC_PAGESIZE)

  std::uint64_t cpu_ticks() const { return utime_ticks + stime_ticks; }
  // utime + stime in nanoseconds. Tick granularity: 10 ms at 100 Hz.
  std::uint64_t cpu_ns(long ticks_per_second = clock_ticks_per_second()) const {
    return ticks_to_ns(cpu_ticks(), ticks_per_second);
  }
};

// /proc/PID/stat when tid < 0, else /proc/PID/task/TID/stat. comm is taken between the first
// '(' and the LAST ')', so a comm like "a) (b" parses.
Result<TaskStat> read_task_stat(const HostRoot& root, int pid, int tid = -1);

// Numeric entries of /proc (processes, not threads), sorted.
Result<std::vector<int>> list_pids(const HostRoot& root);
// Numeric entries of /proc/PID/task, sorted. kNotFound naming the pid when it has exited.
Result<std::vector<int>> list_tids(const HostRoot& root, int pid);

// Resident memory of the process by NUMA node, in bytes, from /proc/PID/numa_maps: for each
// mapping, N<node>=<pages> times that mapping's kernelpagesize_kB (4 kB, or 2048 kB for huge
// pages). Nodes holding nothing are absent. Costs a page-table walk of the whole process:
// use MemoryPlacementSampler (aurora/memory_placement.hpp) for periodic reads.
Result<NodeCounters> read_numa_maps(const HostRoot& root, int pid);

// The same read, split: all resident bytes by node, and of them those in file mappings
// (is_file_mapping_path), which the coordinator's page migration leaves where they are.
struct NumaMapsTotals {
  NodeCounters bytes_by_node;
  NodeCounters file_bytes_by_node;
};
Result<NumaMapsTotals> read_numa_maps_totals(const HostRoot& root, int pid);

// One line of /proc/PID/numa_maps: a mapping's start address, the file it maps (as the kernel
// escapes it: "\040" for a space, so "/SYSV00000000\040(deleted)"; empty for anonymous memory)
// and its resident bytes by node. numa_maps says nothing about sharing or the object's
// identity: join with read_proc_maps on the start address for the permissions, device and inode.
struct NumaMapsEntry {
  std::uint64_t start_address = 0;
  std::string file;
  NodeCounters bytes_by_node;  // nodes holding nothing are absent
};
// Every mapping of /proc/PID/numa_maps, in the file's order. Same cost as read_numa_maps.
Result<std::vector<NumaMapsEntry>> read_numa_maps_entries(const HostRoot& root, int pid);

// The name maps and numa_maps give a shared memory object another process can map too: POSIX
// shm (/dev/shm/...), SysV (/SYSV...), a memfd (/memfd:...), or anonymous MAP_SHARED memory
// ("/dev/zero (deleted)": a shmem file per mmap call, which fork hands to the children, so its
// inode names it in every process that shares it). A private mapping of /dev/zero has the same
// name: MapsEntry::shared() tells them apart.
inline bool is_shared_memory_object_path(const std::string& path) {
  return path.starts_with("/dev/shm/") || path.starts_with("/SYSV") || path.starts_with("/memfd:") ||
         path.starts_with("/dev/zero");
}

// A mapping of a file proper (maps' or numa_maps' name): its pages are page cache shared with
// whoever reads the file, or private copies inside such a mapping, and page migration leaves
// them. Not one: anonymous memory (no name, [heap], [stack]), shared memory objects and
// anonymous MAP_SHARED memory (/dev/zero).
inline bool is_file_mapping_path(const std::string& path) {
  return !path.empty() && !path.starts_with('[') && !is_shared_memory_object_path(path);
}

// One line of /proc/PID/maps (proc(5)): "start-end perms offset dev inode path".
struct MapsEntry {
  std::uint64_t start_address = 0;
  std::uint64_t end_address = 0;
  std::string permissions;  // "rw-s": the fourth character is 's' for MAP_SHARED, 'p' private
  std::string device;       // "major:minor" in hex, as the kernel prints it ("00:01")
  std::uint64_t inode = 0;
  std::string path;         // empty for anonymous memory; may end in " (deleted)"
  bool shared() const { return permissions.size() >= 4 && permissions[3] == 's'; }
  // MAP_SHARED memory of a shared memory object (is_shared_memory_object_path).
  bool shared_memory_object() const { return shared() && is_shared_memory_object_path(path); }
};
// Every mapping of /proc/PID/maps. Cheaper than numa_maps (no page-table walk), but still one
// line per mapping.
Result<std::vector<MapsEntry>> read_proc_maps(const HostRoot& root, int pid);

// One line of /proc/PID/mountinfo (proc(5)): a mount as the process sees it (its mount
// namespace and root), so a container's paths match its own mount points.
struct MountInfoEntry {
  std::string device;       // "major:minor" in decimal ("259:2"; major 0 for tmpfs, overlay, NFS)
  std::string mount_point;  // unescaped ("\040" -> ' ')
  std::string fs_type;      // "ext4", "xfs", "overlay", ...
};
// Every mount of /proc/PID/mountinfo, in the file's order (later mounts stack on earlier ones).
Result<std::vector<MountInfoEntry>> read_proc_mountinfo(const HostRoot& root, int pid);

// What the process's open file descriptors point at: the targets of /proc/PID/fd/* links
// ("/dev/nvme0n1", "/data/db/base/16384", "socket:[52371]", "pipe:[1234]"), at most
// `max_files` of them (a server with 100k sockets is not walked whole). kNotFound when the
// process exited, kPermission when its fds may not be read (another user's, without root).
Result<std::vector<std::string>> read_open_file_targets(const HostRoot& root, int pid, std::size_t max_files);

// The CPUs a thread may run on: Cpus_allowed_list of /proc/PID/task/TID/status (the thread's
// sched_getaffinity mask, already limited by its cpuset). Read from the file, not the
// syscall, so --root trees work.
Result<std::vector<int>> read_task_cpus_allowed(const HostRoot& root, int pid, int tid);

// The memory nodes a thread may allocate on: Mems_allowed_list of the same file, its cpuset's
// effective mems (every node when no cpuset limits it); empty when the kernel has no cpusets
// (no such line). kNotFound when the thread exited.
Result<std::vector<int>> read_task_mems_allowed(const HostRoot& root, int pid, int tid);

// One "numa_faults node=N ..." line of /proc/PID/sched. These are AutoNUMA's decaying fault
// statistics (halved every scan period), not monotonic counters: read them as "where this
// task's recent hinting faults were", never subtract two readings.
struct NumaFaultsOnNode {
  int node = 0;
  std::uint64_t task_private = 0;
  std::uint64_t task_shared = 0;
  std::uint64_t group_private = 0;
  std::uint64_t group_shared = 0;
  std::uint64_t task_total() const { return task_private + task_shared; }
};

// AutoNUMA's view of one task, from the NUMA block at the end of /proc/PID/sched
// (kernel/sched/debug.c sched_show_numa + fair.c show_numa_stats).
struct ProcSchedNuma {
  bool available = false;              // false: kernel without CONFIG_NUMA_BALANCING
  std::uint64_t numa_pages_migrated = 0;  // pages AutoNUMA migrated for this task (monotonic)
  int numa_preferred_nid = -1;         // node AutoNUMA wants the task on, -1 for none yet
  std::uint64_t total_numa_faults = 0;  // decaying sum over numa_faults[]
  int current_node = -1;               // node of the CPU the task is on
  int numa_group_id = 0;               // 0 when the task is in no numa group
  std::vector<NumaFaultsOnNode> faults;  // one per online node, ascending
};

// /proc/PID/sched when tid < 0, else /proc/PID/task/TID/sched. Needs CONFIG_SCHED_DEBUG for
// the file itself (kNotFound naming the file otherwise).
Result<ProcSchedNuma> read_proc_sched_numa(const HostRoot& root, int pid, int tid = -1);

// The NUMA lines of /proc/vmstat: monotonic, system-wide counters since boot.
struct VmstatNuma {
  // Page allocations (per-node detail in /sys/devices/system/node/nodeN/numastat).
  std::uint64_t numa_hit = 0;        // allocated on the intended node
  std::uint64_t numa_miss = 0;       // allocated here although another node was intended
  std::uint64_t numa_foreign = 0;    // intended here, allocated elsewhere
  std::uint64_t numa_interleave = 0;
  std::uint64_t numa_local = 0;      // allocated on the node of the allocating CPU
  std::uint64_t numa_other = 0;      // allocated on another node than the allocating CPU's
  // AutoNUMA (CONFIG_NUMA_BALANCING); all zero while kernel.numa_balancing=0.
  bool has_numa_balancing = false;   // the numa_hint_faults line exists
  std::uint64_t numa_pte_updates = 0;
  std::uint64_t numa_huge_pte_updates = 0;
  std::uint64_t numa_hint_faults = 0;
  std::uint64_t numa_hint_faults_local = 0;
  std::uint64_t numa_pages_migrated = 0;
  // Page migration from any cause (AutoNUMA, migrate_pages(2), compaction, ...).
  std::uint64_t pgmigrate_success = 0;
  std::uint64_t pgmigrate_fail = 0;
};

Result<VmstatNuma> read_vmstat_numa(const HostRoot& root);

// The calling process's own footprint, for self-measurement (always the live system).
struct SelfUsage {
  std::uint64_t cpu_ns = 0;     // user + system CPU time of all threads (getrusage)
  std::uint64_t rss_bytes = 0;  // current resident set (/proc/self/statm)
};
Result<SelfUsage> read_self_usage();

}  // namespace aurora
