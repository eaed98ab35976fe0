// The monitor's own BPF cost: run_cnt and run_time_ns per program, which the kernel counts
// only while BPF statistics are enabled. Enabling goes through the BPF_ENABLE_STATS fd, so the
// setting reverts when the monitor exits, however it exits. Internal.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "aurora/result.hpp"
#include "aurora/snapshot.hpp"
#include "aurora/unique_fd.hpp"
#include "locality_loader.hpp"

namespace aurora::pipeline {

class BpfStats {
 public:
  // kRuntime when the kernel refuses (names BPF_ENABLE_STATS).
  static Result<BpfStats> enable();
  // Per-program cost since the previous call (the first call: since enable()).
  Result<std::vector<BpfProgramCost>> sample(const std::vector<ProgramHandle>& programs);

 private:
  UniqueFd stats_fd_;
  std::map<std::string, BpfProgramCost> previous_;
};

}  // namespace aurora::pipeline
