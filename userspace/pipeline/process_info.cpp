#include "process_info.hpp"

#include <unistd.h>

#include "aurora/cgroup.hpp"

namespace aurora::pipeline {

namespace {

class ProcInfoSource final : public ProcessInfoSource {
 public:
  ProcInfoSource(const HostRoot& root, MemoryPlacementOptions memory)
      : root_(root), sampler_(root, memory) {}

  std::optional<ProcessInfo> describe(int pid) override {
    auto stat = read_task_stat(root_, pid);
    if (!stat) return std::nullopt;
    ProcessInfo info;
    info.comm = stat->comm;
    info.threads = static_cast<int>(stat->num_threads);
    if (auto cgroup = cgroup_of_pid(root_, pid)) {
      info.cgroup = cgroup->primary();
      info.container = container_id_from_cgroup(info.cgroup);
    }
    static const std::uint64_t page_size = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    if (auto placement = sampler_.sample(pid, stat->rss_pages * page_size); placement && *placement) {
      info.memory_bytes_by_node = (*placement)->bytes_by_node;
      info.file_bytes_by_node = (*placement)->file_bytes_by_node;
    }
    if (auto sched = read_proc_sched_numa(root_, pid); sched && sched->available)
      info.sched_numa = *sched;
    return info;
  }

  void memory_moved(int pid) override { sampler_.forget(pid); }
  void end_interval(const std::vector<int>& pids) override { sampler_.retain_only(pids); }

 private:
  HostRoot root_;
  MemoryPlacementSampler sampler_;
};

}  // namespace

std::unique_ptr<ProcessInfoSource> make_proc_info_source(const HostRoot& root,
                                                         MemoryPlacementOptions memory) {
  return std::make_unique<ProcInfoSource>(root, memory);
}

}  // namespace aurora::pipeline
