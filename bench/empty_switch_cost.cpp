// The reference point for the pipeline's sched_switch cost: an empty tp_btf/sched_switch
// program (bpf/feature_probe.bpf.c), attached for --seconds with BPF statistics on, reporting
// run_cnt and ns per call as one JSON line. Run by bench/pipeline_overhead.sh in the same
// invocation as the pipeline's own figures, since this host's per-call costs move with load.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/bpf_handles.hpp"
#include "feature_probe.skel.h"

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 3;
  aurora::bpf::UniqueSkeleton<feature_probe, feature_probe__destroy> skeleton(feature_probe__open());
  if (!skeleton) {
    std::fprintf(stderr, "empty_switch_cost: cannot open the probe object\n");
    return 1;
  }
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, skeleton->obj)
    bpf_program__set_autoload(program, program == skeleton->progs.probe_tp_btf_sched_switch);
  if (feature_probe__load(skeleton.get()) != 0) {
    std::fprintf(stderr, "empty_switch_cost: load failed (root needed): %s\n", std::strerror(errno));
    return 1;
  }
  const int stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
  if (stats < 0) {
    std::fprintf(stderr, "empty_switch_cost: BPF_ENABLE_STATS failed: %s\n", std::strerror(errno));
    return 1;
  }
  aurora::bpf::UniqueLink link(bpf_program__attach(skeleton->progs.probe_tp_btf_sched_switch));
  if (!link) {
    std::fprintf(stderr, "empty_switch_cost: attach failed: %s\n", std::strerror(errno));
    return 1;
  }
  ::sleep(static_cast<unsigned>(seconds));
  bpf_prog_info info{};
  __u32 length = sizeof(info);
  bpf_obj_get_info_by_fd(bpf_program__fd(skeleton->progs.probe_tp_btf_sched_switch), &info, &length);
  std::printf("{\"run_count\":%llu,\"run_time_ns\":%llu,\"ns_per_call\":%.1f}\n",
              static_cast<unsigned long long>(info.run_cnt),
              static_cast<unsigned long long>(info.run_time_ns),
              info.run_cnt ? double(info.run_time_ns) / double(info.run_cnt) : 0.0);
  ::close(stats);
  return 0;
}
