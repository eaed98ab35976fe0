#include "system_checks.hpp"

#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace aurora::pipeline {

namespace {

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

bool has_capability(const __user_cap_data_struct (&data)[2], int capability) {
  return (data[capability / 32].effective >> (capability % 32)) & 1u;
}

}  // namespace

Result<void> check_bpf_capabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (::syscall(SYS_capget, &header, data) != 0)
    return fail(ErrorKind::kRuntime,
                fmt::format("cannot read this process's capabilities: {}", std::strerror(errno)));
  if (has_capability(data, CAP_SYS_ADMIN)) return {};
  for (int capability : {CAP_BPF, CAP_PERFMON})
    if (!has_capability(data, capability))
      return fail(ErrorKind::kPermission,
                  fmt::format("the live monitor needs {} (run as root, or grant it: setcap "
                              "cap_bpf,cap_perfmon+ep aurora-numa-monitor)",
                              capability == CAP_BPF ? "CAP_BPF" : "CAP_PERFMON"));
  return {};
}

Result<void> check_kernel_btf() {
  if (::access("/sys/kernel/btf/vmlinux", R_OK) == 0) return {};
  return fail(ErrorKind::kUnsupported,
              "this kernel has no BTF (/sys/kernel/btf/vmlinux is missing); the CO-RE programs "
              "need a kernel built with CONFIG_DEBUG_INFO_BTF=y");
}

Result<void> ensure_tracefs() {
  if (::access("/sys/kernel/tracing/events", F_OK) == 0 ||
      ::access("/sys/kernel/debug/tracing/events", F_OK) == 0)
    return {};
  if (::mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0)
    return fail(ErrorKind::kRuntime,
                fmt::format("tracefs is not mounted and mounting it at /sys/kernel/tracing "
                            "failed: {} (mount -t tracefs nodev /sys/kernel/tracing)",
                            std::strerror(errno)));
  spdlog::info("mounted tracefs at /sys/kernel/tracing (classic tracepoints are attached "
               "through it)");
  return {};
}

}  // namespace aurora::pipeline
