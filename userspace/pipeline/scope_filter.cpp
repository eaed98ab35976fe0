#include "scope_filter.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <bpf/btf.h>
#include <fmt/format.h>

namespace aurora::pipeline {

namespace {

struct BtfDeleter {
  void operator()(btf* b) const noexcept { btf__free(b); }
};

// The value of enum cgroup_subsys_id's "<controller>_cgrp_id" in the running kernel.
Result<std::int32_t> subsys_id_of(const std::string& controller) {
  std::unique_ptr<btf, BtfDeleter> vmlinux(btf__load_vmlinux_btf());
  if (!vmlinux)
    return fail(ErrorKind::kUnsupported,
                "cannot read the kernel's BTF to filter on a cgroup v1 hierarchy");
  const int type_id = btf__find_by_name_kind(vmlinux.get(), "cgroup_subsys_id", BTF_KIND_ENUM);
  if (type_id < 0)
    return fail(ErrorKind::kUnsupported, "the kernel's BTF has no enum cgroup_subsys_id");
  const btf_type* type = btf__type_by_id(vmlinux.get(), type_id);
  const struct btf_enum* values = btf_enum(type);
  const std::string wanted = controller + "_cgrp_id";
  for (int i = 0; i < btf_vlen(type); ++i)
    if (wanted == btf__name_by_offset(vmlinux.get(), values[i].name_off))
      return static_cast<std::int32_t>(values[i].val);
  return fail(ErrorKind::kUnsupported,
              fmt::format("cgroup v1 hierarchy '{}' has no controller the kernel filter can "
                          "follow; pass the cgroup's v2 path or a controller's (cpu, memory...)",
                          controller));
}

}  // namespace

std::uint32_t cgroup_depth(const std::string& path) {
  std::uint32_t depth = 0;
  bool in_component = false;
  for (char c : path) {
    if (c == '/') {
      in_component = false;
    } else if (!in_component) {
      in_component = true;
      ++depth;
    }
  }
  return depth;
}

Result<KernelScopeFilter> kernel_filter_for(const PipelineScope& scope) {
  KernelScopeFilter filter;
  filter.tgid = static_cast<std::uint32_t>(scope.pid);
  if (!scope.cgroup) return filter;
  const CgroupScope& cgroup = *scope.cgroup;
  filter.cgroup_level = cgroup_depth(cgroup.path);
  if (cgroup.v2_id != 0 || cgroup.hierarchy == "v2") {
    filter.cgroup_id = cgroup.v2_id;
  } else {
    auto subsys = subsys_id_of(cgroup.hierarchy);
    if (!subsys) return tl::unexpected(subsys.error());
    filter.cgroup_subsys = *subsys;
  }
  if (filter.cgroup_id == 0) {
    // The kernfs id of a cgroup directory is its inode number.
    struct stat info {};
    if (::stat(cgroup.fs_path.c_str(), &info) != 0)
      return fail(ErrorKind::kNotFound, fmt::format("cgroup {} ({}): {}", cgroup.path,
                                                    cgroup.fs_path, std::strerror(errno)));
    filter.cgroup_id = info.st_ino;
  }
  return filter;
}

}  // namespace aurora::pipeline
