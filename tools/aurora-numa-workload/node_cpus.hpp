// Which NUMA nodes exist and which CPUs each one has, as the kernel (libnuma) reports them.
#pragma once

#include <sched.h>

#include "aurora/result.hpp"

namespace aurora::workload {

// kBadInput when `node` is not an online node with memory or CPUs.
Result<void> require_online_node(int node);

// The CPUs of `node`. kBadInput when it has none (a CPU-less memory node: nothing can run there).
Result<cpu_set_t> cpus_of_node(int node);

// Every CPU this process may run on (restored after the first-touch phase).
Result<cpu_set_t> current_affinity();

// Pins the calling thread to `cpus`.
Result<void> pin_calling_thread(const cpu_set_t& cpus);

}  // namespace aurora::workload
