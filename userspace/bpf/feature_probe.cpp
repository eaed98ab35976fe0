#include "aurora/feature_probe.hpp"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "aurora_shared.h"
#include "bpf_handles.hpp"
#include "feature_probe.skel.h"

namespace aurora {

namespace {

using ProbeSkeleton = bpf::UniqueSkeleton<feature_probe, feature_probe__destroy>;

struct ProbeSpec {
  int id;
  const char* name;
  bpf_program* (*program)(feature_probe*);
  const char* refused_hint;  // what a refusal usually means on this attach point
};

const std::array<ProbeSpec, AURORA_PROBE_COUNT> kSpecs = {{
    {AURORA_PROBE_TP_BTF_SCHED_SWITCH, "tp_btf/sched_switch",
     [](feature_probe* s) { return s->progs.probe_tp_btf_sched_switch; },
     "BTF-typed tracepoints unavailable; the raw_tp twin is used instead"},
    {AURORA_PROBE_RAW_TP_SCHED_SWITCH, "raw_tp/sched_switch",
     [](feature_probe* s) { return s->progs.probe_raw_tp_sched_switch; },
     "raw tracepoints unavailable"},
    {AURORA_PROBE_FENTRY_TASK_NUMA_FAULT, "fentry/task_numa_fault",
     [](feature_probe* s) { return s->progs.probe_fentry_task_numa_fault; },
     "per-fault NUMA locality falls back to /proc/PID/sched and /proc/vmstat"},
    {AURORA_PROBE_TP_SCHED_MOVE_NUMA, "tracepoint/sched/sched_move_numa",
     [](feature_probe* s) { return s->progs.probe_tp_sched_move_numa; },
     "AutoNUMA task moves are not observed"},
    {AURORA_PROBE_TP_SCHED_SWAP_NUMA, "tracepoint/sched/sched_swap_numa",
     [](feature_probe* s) { return s->progs.probe_tp_sched_swap_numa; },
     "AutoNUMA task swaps are not observed"},
    {AURORA_PROBE_TP_SCHED_STICK_NUMA, "tracepoint/sched/sched_stick_numa",
     [](feature_probe* s) { return s->progs.probe_tp_sched_stick_numa; },
     "AutoNUMA failed moves are not observed"},
    {AURORA_PROBE_TP_MM_MIGRATE_PAGES, "tracepoint/migrate/mm_migrate_pages",
     [](feature_probe* s) { return s->progs.probe_tp_mm_migrate_pages; },
     "page migrations are counted from /proc/vmstat only"},
}};

std::string describe_errno(int err) {
  if (err == EPERM || err == EACCES)
    return fmt::format("refused by the kernel ({})", std::strerror(err));
  if (err == ENOENT || err == ESRCH)
    return fmt::format("not present in this kernel ({})", std::strerror(err));
  return std::strerror(err);
}

ProbeStatus probe_one(const ProbeSpec& spec) {
  ProbeStatus status{spec.name, false, {}};
  ProbeSkeleton skeleton(feature_probe__open());
  if (!skeleton) {
    status.reason = fmt::format("cannot open the probe object: {}", std::strerror(errno));
    return status;
  }
  bpf_program* wanted = spec.program(skeleton.get());
  bpf_program* program = nullptr;
  bpf_object__for_each_program(program, skeleton->obj) {
    bpf_program__set_autoload(program, program == wanted);
  }
  if (int err = feature_probe__load(skeleton.get()); err != 0) {
    status.reason = fmt::format("load failed: {}; {}", describe_errno(-err), spec.refused_hint);
    return status;
  }
  bpf::UniqueLink link(bpf_program__attach(wanted));
  if (!link) {
    status.reason = fmt::format("attach failed: {}; {}", describe_errno(errno), spec.refused_hint);
    return status;
  }
  status.active = true;
  if (spec.id == AURORA_PROBE_TP_BTF_SCHED_SWITCH || spec.id == AURORA_PROBE_RAW_TP_SCHED_SWITCH) {
    // A sleep forces at least one context switch on this CPU: proof that the program runs.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const __u64 hits = skeleton->bss->probe_hits[spec.id];
    status.reason = fmt::format("attached; {} context switches seen in 5 ms", hits);
  } else {
    status.reason = "attached";
  }
  return status;
}

class LiveFeatureProbe final : public FeatureProbe {
 public:
  std::vector<ProbeStatus> probe() override {
    std::vector<ProbeStatus> statuses;
    const bool privileged = ::geteuid() == 0;
    const bool has_btf = ::access("/sys/kernel/btf/vmlinux", R_OK) == 0;
    for (const ProbeSpec& spec : kSpecs) {
      if (!privileged) {
        statuses.push_back({spec.name, false,
                            "needs root (CAP_BPF and CAP_PERFMON) to load BPF programs"});
      } else if (!has_btf) {
        statuses.push_back({spec.name, false,
                            "no kernel BTF at /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF=y "
                            "is needed for CO-RE)"});
      } else {
        statuses.push_back(probe_one(spec));
      }
    }
    return statuses;
  }
};

}  // namespace

std::unique_ptr<FeatureProbe> make_live_feature_probe() {
  return std::make_unique<LiveFeatureProbe>();
}

const ProbeStatus* find_probe(const std::vector<ProbeStatus>& statuses, std::string_view name) {
  for (const ProbeStatus& status : statuses)
    if (status.name == name) return &status;
  return nullptr;
}

}  // namespace aurora
