// A PipelineScope turned into the BPF program's rodata filter: the process id, and the
// cgroup's kernfs id, its depth and its hierarchy (v2, or the v1 controller's
// cgroup_subsys_id looked up in the kernel's BTF). Internal.
#pragma once

#include <cstdint>
#include <string>

#include "aurora/pipeline.hpp"
#include "aurora/result.hpp"

namespace aurora::pipeline {

struct KernelScopeFilter {
  std::uint32_t tgid = 0;
  std::uint64_t cgroup_id = 0;
  std::uint32_t cgroup_level = 0;
  std::int32_t cgroup_subsys = -1;
};

// Depth of a cgroup path below its hierarchy's root: "/" is 0, "/a/b" is 2.
std::uint32_t cgroup_depth(const std::string& path);

// kNotFound when the cgroup directory vanished; kUnsupported for a v1 hierarchy without a
// controller (e.g. name=systemd), which the kernel filter cannot name.
Result<KernelScopeFilter> kernel_filter_for(const PipelineScope& scope);

}  // namespace aurora::pipeline
