// Which shared memory objects a process maps: numa_maps gives each mapping's resident bytes
// and file name, maps (same start address) gives MAP_SHARED and the object's device and inode.
// The inode names the object across processes even when the name does not: two memfds may
// both be called "memfd:buf", and a SysV key can be reused after IPC_RMID.
#include <map>

#include <fmt/format.h>

#include "aurora/procfs.hpp"
#include "policy/hint_signals.hpp"

namespace aurora::coord::hints_detail {

namespace {

// Objects another process can map too. Anonymous MAP_SHARED memory (shared across fork) has
// no name here ("/dev/zero (deleted)" in maps, no file= in numa_maps) and is not keyed.
bool is_shared_memory_object(const std::string& file) {
  return file.starts_with("/dev/shm/") || file.starts_with("/SYSV") || file.starts_with("/memfd:");
}

std::uint64_t resident_bytes(const NumaMapsEntry& entry) {
  std::uint64_t total = 0;
  for (const auto& [node, bytes] : entry.bytes_by_node) total += bytes;
  return total;
}

}  // namespace

Result<std::set<std::string>> shared_memory_keys(const HostRoot& root, int pid, std::uint64_t min_resident_bytes) {
  auto numa_maps = read_numa_maps_entries(root, pid);
  if (!numa_maps) return tl::unexpected(numa_maps.error());
  std::map<std::uint64_t, std::uint64_t> resident_by_start;
  std::uint64_t candidate_bytes = 0;
  for (const auto& entry : *numa_maps) {
    if (!is_shared_memory_object(entry.file)) continue;
    const std::uint64_t bytes = resident_bytes(entry);
    if (bytes == 0) continue;
    resident_by_start[entry.start_address] = bytes;
    candidate_bytes += bytes;
  }
  std::set<std::string> keys;
  if (candidate_bytes < min_resident_bytes) return keys;  // maps cannot change the answer

  auto maps = read_proc_maps(root, pid);
  if (!maps) return tl::unexpected(maps.error());
  std::map<std::string, std::uint64_t> resident_by_object;
  for (const auto& mapping : *maps) {
    const auto found = resident_by_start.find(mapping.start_address);
    // Absent: the mapping changed between the two reads (or is not a shared object).
    if (found == resident_by_start.end() || !mapping.shared()) continue;
    resident_by_object[fmt::format("shm:{}:{}", mapping.device, mapping.inode)] += found->second;
  }
  for (const auto& [key, bytes] : resident_by_object)
    if (bytes >= min_resident_bytes) keys.insert(key);
  return keys;
}

}  // namespace aurora::coord::hints_detail
