// The coordinator's hands: thread affinity, cgroup cpusets and page migration. Each one acts on
// the live system only, through a verified ProcessHandle or a cgroup directory, and refuses
// what the issue forbids: widening a cpuset, offline CPUs, kernel threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "aurora/coordinator/process_handle.hpp"
#include "aurora/host_root.hpp"
#include "aurora/result.hpp"

namespace aurora::coord {

// sched_getaffinity / sched_setaffinity of one thread. kNotFound when the thread exited.
Result<std::vector<int>> get_thread_affinity(int tid);
Result<void> set_thread_affinity(int tid, const std::vector<int>& cpus);

// The CPUs a process's cpuset cgroup lets it use (v2 cpuset.cpus.effective, or the v1 cpuset
// controller's cpuset.effective_cpus on hybrid hosts); the online CPUs when neither says.
Result<std::vector<int>> cpuset_cpus_of(const HostRoot& root, int pid);
// The same with the online CPUs given (read_online_cpus; empty when unreadable), for a caller
// that asks for many processes at once.
Result<std::vector<int>> cpuset_cpus_of(const HostRoot& root, int pid, const std::vector<int>& online);

// A cgroup's cpuset as configured (what revert writes back).
struct CpusetState {
  std::string dir;   // the cgroup directory on the live filesystem
  bool v2 = false;
  std::string cpus;  // cpuset.cpus as read ("" in v2 means inherited from the parent)
  std::string mems;
};
Result<CpusetState> read_cpuset(const std::string& dir);
// Effective CPUs and memory nodes of a cgroup.
Result<std::vector<int>> cpuset_effective_cpus(const std::string& dir);
Result<std::vector<int>> cpuset_effective_mems(const std::string& dir);
// Narrows the cgroup to `cpus` and `mems`; kBadInput (nothing written) when either is not a
// subset of what it has now, because a container's cpuset is never widened.
Result<void> narrow_cpuset(const std::string& dir, const std::vector<int>& cpus, const std::vector<int>& mems);
// Writes a saved state back (revert).
Result<void> restore_cpuset(const CpusetState& state);

// Pages at consecutive addresses that were on one node before a migration moved them.
struct PageRun {
  std::uint64_t start = 0;  // address of the first page
  std::uint64_t pages = 0;
  int node = -1;  // where they were
  bool operator==(const PageRun&) const = default;
};
// Appends the page at `address` (of `page_size` bytes), which was on `node`, to `runs`: it
// extends the last run when it follows it on the same node.
void append_page_run(std::vector<PageRun>& runs, std::uint64_t address, int node, std::uint64_t page_size);

struct MigrationResult {
  std::uint64_t pages_moved = 0;
  std::uint64_t pages_failed = 0;  // EBUSY, EACCES, ... (partial success is not an error)
  std::uint64_t pages_seen = 0;    // resident pages examined
  std::uint64_t pages_left_small = 0;  // off-target pages left in mappings with under 1 MiB of them
  std::map<int, std::uint64_t> failures_by_errno;  // why pages_failed failed (EBUSY, ENOMEM, ...)
  std::uint64_t move_calls = 0;  // move_pages(2) calls that moved pages (each lane's slice counts)
  bool stopped = false;  // `should_stop` said so before every page was examined
  bool reached_limit = false;  // max_pages were moved (or tried) before every page was examined
  double seconds = 0;
  // Where each moved page was, in address order, for revert: at most kMaxRecordedPageRuns
  // runs; `moved_from_complete` is false when there were more (pages of many nodes mixed).
  std::vector<PageRun> moved_from;
  bool moved_from_complete = true;
  std::map<int, std::uint64_t> pages_moved_from_node;  // pages moved, by the node they left
};
// A journal line of at most about 1.5 MiB: 256 MiB interleaved page by page over two nodes and
// moved to one is 32768 runs.
constexpr std::size_t kMaxRecordedPageRuns = 65536;
// How fast page migration may go.
struct MigrationPace {
  double budget_bytes_per_second = 1024.0 * 1024 * 1024;  // rate limit, all calls together
  // move_pages(2) calls in flight at once, each on its own slice of a batch. A call spends most
  // of its time waiting for other CPUs (LRU drains, TLB shootdowns), so calls side by side
  // overlap those waits: in the 2-node TCG guest with every vCPU busy, 4 calls moved 3337
  // pages/s, 16 calls 10671 and 32 calls 14850 (medians of 5 rounds; docs/performance.md).
  int parallel_calls = 16;
};

// Moves the process's resident anonymous pages that are not on `to_nodes` onto them with
// move_pages(2), as `pace` allows. kNotFound when it exits before starting.
// `should_stop` is asked between calls (the monitor is stopping): what moved so far stays
// moved and is reported, so the journal's record of it is exact. `max_pages` > 0 moves at most
// that many (a process larger than its target: as much as fits).
Result<MigrationResult> migrate_process_memory(const ProcessHandle& process, const std::vector<int>& to_nodes,
                                               const MigrationPace& pace,
                                               const std::function<bool()>& should_stop = {},
                                               std::uint64_t max_pages = 0);

// Revert of a migration: moves each page of `runs` that is still resident in one of the
// process's movable mappings back to the node its run says it was on. Pages the process has
// freed or mapped anew since are whatever lies at those addresses now: they go there too, as
// the process's memory at that address was placed there.
Result<MigrationResult> return_pages(const ProcessHandle& process, const std::vector<PageRun>& runs,
                                     const MigrationPace& pace);

// What probe_migration_rate measured.
struct MigrationProbe {
  std::uint64_t bytes_moved = 0;
  double seconds = 0;
  double bytes_per_second() const { return seconds > 0 ? static_cast<double>(bytes_moved) / seconds : 0; }
};

// Moves `bytes` of a child process's memory, first-touched on `from_node`, to `to_node` with
// `parallel_calls` move_pages(2) calls side by side (as migrate_process_memory's lanes) and
// times it, while the child keeps writing every page: how fast this machine migrates the
// memory of a running process (pages nobody touches move several times faster). The child
// lives only for the probe. kUnsupported when memory cannot be placed on `from_node` (one
// node, or a node without memory).
Result<MigrationProbe> probe_migration_rate(int from_node, int to_node, std::size_t bytes = 16u << 20,
                                            int parallel_calls = 1);

}  // namespace aurora::coord
