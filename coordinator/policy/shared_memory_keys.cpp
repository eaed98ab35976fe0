// Which shared objects a process maps (shared memory, files mapped shared): maps gives each
// mapping's MAP_SHARED flag, size
// and the object's device and inode; numa_maps (same start address) gives its resident pages.
// The inode names the object across processes even when the name does not: two memfds may
// both be called "memfd:buf", and a SysV key can be reused after IPC_RMID. maps is read first
// because it costs no page-table walk: a process that maps no shared object of at least the
// minimum size (its virtual size bounds what can be resident) is never walked.
#include <map>

#include <fmt/format.h>

#include "aurora/procfs.hpp"
#include "policy/hint_signals.hpp"

namespace aurora::coord::hints_detail {

namespace {

// The key of a MAP_SHARED mapping of an object other processes can map too, "" for any other
// mapping: shared memory objects ("shm:"), and regular files mapped shared ("file:"), such as a
// database's mmapped data files (LMDB), whose page cache all its processes use, or hugetlbfs
// files. Device files (/dev/dri/card0, /dev/mem) are not objects: each open has its own
// buffers behind the name.
std::string shared_object_key(const MapsEntry& mapping) {
  if (!mapping.shared()) return {};
  if (is_shared_memory_object_path(mapping.path)) return fmt::format("shm:{}:{}", mapping.device, mapping.inode);
  const bool device_file = mapping.path.starts_with("/dev/") && !mapping.path.starts_with("/dev/hugepages/");
  if (is_file_mapping_path(mapping.path) && !device_file && mapping.inode != 0)
    return fmt::format("file:{}:{}", mapping.device, mapping.inode);
  return {};
}

// numa_maps names the same kind of object at that address (the mapping may have changed
// between the two reads).
bool same_kind(const std::string& key, const std::string& numa_maps_file) {
  return key.starts_with("shm:") ? is_shared_memory_object_path(numa_maps_file) : is_file_mapping_path(numa_maps_file);
}

}  // namespace

Result<std::map<std::string, NodeCounters>> shared_memory_objects(const HostRoot& root, int pid,
                                                                  std::uint64_t min_resident_bytes) {
  auto maps = read_proc_maps(root, pid);
  if (!maps) return tl::unexpected(maps.error());
  std::map<std::uint64_t, std::string> object_at_start;
  std::map<std::string, std::uint64_t> mapped_bytes_by_object;
  for (const auto& mapping : *maps) {
    const std::string key = shared_object_key(mapping);
    if (key.empty()) continue;
    object_at_start[mapping.start_address] = key;
    mapped_bytes_by_object[key] += mapping.end_address - mapping.start_address;
  }
  std::map<std::string, NodeCounters> objects;
  std::erase_if(object_at_start, [&](const auto& entry) { return mapped_bytes_by_object[entry.second] < min_resident_bytes; });
  if (object_at_start.empty()) return objects;  // nothing could reach the minimum: no walk

  auto numa_maps = read_numa_maps_entries(root, pid);
  if (!numa_maps) return tl::unexpected(numa_maps.error());
  for (const auto& entry : *numa_maps) {
    const auto found = object_at_start.find(entry.start_address);
    if (found == object_at_start.end() || !same_kind(found->second, entry.file)) continue;
    NodeCounters& resident = objects[found->second];
    for (const auto& [node, bytes] : entry.bytes_by_node) resident[node] += bytes;
  }
  std::erase_if(objects, [&](const auto& entry) {
    std::uint64_t total = 0;
    for (const auto& [node, bytes] : entry.second) total += bytes;
    return total < min_resident_bytes;
  });
  return objects;
}

}  // namespace aurora::coord::hints_detail
