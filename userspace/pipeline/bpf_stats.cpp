#include "bpf_stats.hpp"

#include <cerrno>
#include <cstring>

#include <bpf/bpf.h>
#include <fmt/format.h>

namespace aurora::pipeline {

Result<BpfStats> BpfStats::enable() {
  const int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
  if (fd < 0)
    return fail(ErrorKind::kRuntime,
                fmt::format("enabling BPF run-time statistics (BPF_ENABLE_STATS) failed: {}",
                            std::strerror(errno)));
  BpfStats stats;
  stats.stats_fd_.reset(fd);
  return stats;
}

Result<std::vector<BpfProgramCost>> BpfStats::sample(const std::vector<ProgramHandle>& programs) {
  std::vector<BpfProgramCost> out;
  for (const ProgramHandle& program : programs) {
    bpf_prog_info info{};
    std::uint32_t length = sizeof(info);
    if (bpf_obj_get_info_by_fd(program.fd, &info, &length) != 0)
      return fail(ErrorKind::kRuntime, fmt::format("reading BPF statistics of {}: {}",
                                                   program.name, std::strerror(errno)));
    BpfProgramCost& before = previous_[program.name];
    out.push_back({program.name, info.run_cnt - std::min<std::uint64_t>(before.run_count, info.run_cnt),
                   info.run_time_ns - std::min<std::uint64_t>(before.run_time_ns, info.run_time_ns)});
    before = {program.name, info.run_cnt, info.run_time_ns};
  }
  return out;
}

}  // namespace aurora::pipeline
