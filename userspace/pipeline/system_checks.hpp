// What the live pipeline needs from the system before it loads anything: the capabilities,
// kernel BTF and a mounted tracefs. Each failure is one line saying what is missing.
#pragma once

#include "aurora/result.hpp"

namespace aurora::pipeline {

// kPermission naming the missing capability (CAP_BPF, CAP_PERFMON; CAP_SYS_ADMIN covers both
// on kernels before 5.8).
Result<void> check_bpf_capabilities();
// kUnsupported when /sys/kernel/btf/vmlinux is absent.
Result<void> check_kernel_btf();
// Mounts tracefs at /sys/kernel/tracing when no tracefs is mounted (classic tracepoints are
// attached through it); logs one info line when it did. kRuntime when mounting fails.
Result<void> ensure_tracefs();

}  // namespace aurora::pipeline
