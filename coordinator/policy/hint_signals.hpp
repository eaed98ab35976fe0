// The per-process signals read_policy_hints combines (coordinator-internal).
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "aurora/host_root.hpp"
#include "aurora/result.hpp"

namespace aurora::coord::hints_detail {

// Keys ("shm:<dev>:<inode>") of the SysV, POSIX (/dev/shm), memfd and anonymous shared memory
// objects the process maps MAP_SHARED with at least `min_resident_bytes` of them resident
// (summed over its mappings of the object). Reads maps, and numa_maps only when maps shows a
// large enough such object. kNotFound when the process exited.
Result<std::set<std::string>> shared_memory_keys(const HostRoot& root, int pid, std::uint64_t min_resident_bytes);

// True when the application chose per-thread placement: at least two of its threads have
// masks narrower than the process's allowed set (the union of its threads' masks) and those
// masks differ. kNotFound when the process exited.
Result<bool> threads_pinned_by_application(const HostRoot& root, int pid);

}  // namespace aurora::coord::hints_detail
