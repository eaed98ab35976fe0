// Did the application place its own threads? One mask shared by all threads is what numactl,
// taskset -a, a cgroup cpuset or the coordinator itself sets: the coordinator may change it.
// Different masks on different threads (OpenMP proc_bind, DPDK lcores, a runtime pinning each
// worker) are a choice made inside the application: changing them would undo it.
#include <set>
#include <vector>

#include "aurora/procfs.hpp"
#include "policy/hint_signals.hpp"

namespace aurora::coord::hints_detail {

Result<ThreadPlacement> thread_placement(const HostRoot& root, int pid) {
  auto tids = list_tids(root, pid);
  if (!tids) return tl::unexpected(tids.error());
  std::vector<std::vector<int>> thread_masks;
  std::set<int> allowed;  // the union of its threads' masks: what the process as a whole may use
  for (int tid : *tids) {
    auto cpus = read_task_cpus_allowed(root, pid, tid);
    if (!cpus) {
      if (cpus.error().kind == ErrorKind::kNotFound) continue;  // that thread exited
      return tl::unexpected(cpus.error());
    }
    allowed.insert(cpus->begin(), cpus->end());
    thread_masks.push_back(std::move(*cpus));
  }
  // A thread the process has not narrowed (mask == allowed) says nothing; taskset -p on the
  // main thread alone narrows one thread, which is not per-thread placement either.
  std::set<std::vector<int>> narrower_masks;
  for (const auto& mask : thread_masks)
    if (mask.size() < allowed.size()) narrower_masks.insert(mask);
  ThreadPlacement placement;
  placement.allowed_cpus.assign(allowed.begin(), allowed.end());
  placement.pinned_by_application = narrower_masks.size() >= 2;
  return placement;
}

}  // namespace aurora::coord::hints_detail
