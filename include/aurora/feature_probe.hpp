// What the running kernel allows: which BPF attach points load, attach and fire.
//
// The pipeline asks once at start-up and enables only what works, degrading with one line per
// missing source. The probe is an interface so tests and the simulator can supply a fixed
// answer; LiveFeatureProbe asks the kernel with real BPF programs (bpf/feature_probe.bpf.c).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace aurora {

struct ProbeStatus {
  std::string name;    // e.g. "tp_btf/sched_switch"
  bool active = false;
  std::string reason;  // why it is (in)active, phrased for the user
};

class FeatureProbe {
 public:
  virtual ~FeatureProbe() = default;
  // One entry per attach point, in a fixed order.
  virtual std::vector<ProbeStatus> probe() = 0;
};

// Loads and attaches each program of bpf/feature_probe.bpf.c on its own. Needs root (or
// CAP_BPF + CAP_PERFMON); without it every entry is inactive with that reason.
std::unique_ptr<FeatureProbe> make_live_feature_probe();

// The entry called `name`, or nullptr.
const ProbeStatus* find_probe(const std::vector<ProbeStatus>& statuses, std::string_view name);

}  // namespace aurora
