// The per-process signals read_policy_hints combines (coordinator-internal).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "aurora/host_root.hpp"
#include "aurora/procfs.hpp"
#include "aurora/result.hpp"
#include "aurora/snapshot.hpp"  // NodeCounters

namespace aurora::coord::hints_detail {

// The SysV, POSIX (/dev/shm), memfd and anonymous shared memory objects and the regular files
// the process maps MAP_SHARED with at least `min_resident_bytes` of them resident (summed over
// its mappings of the object): key ("shm:<dev>:<inode>", "file:<dev>:<inode>") -> resident
// bytes by node as this process maps them.
// Reads maps, and numa_maps only when maps shows a large enough such object. kNotFound when the
// process exited.
Result<std::map<std::string, NodeCounters>> shared_memory_objects(const HostRoot& root, int pid,
                                                                  std::uint64_t min_resident_bytes);

// True when the application chose per-thread placement: at least two of its threads have
// masks narrower than the process's allowed set (the union of its threads' masks) and those
// masks differ. kNotFound when the process exited.
Result<bool> threads_pinned_by_application(const HostRoot& root, int pid);

// The NUMA node of the device behind an open file, as the process names it: a block or
// character device file ("/dev/nvme0n1", "/dev/dri/renderD128") through its sysfs class entry,
// a file on a block device through the mount holding it (`mounts`: the process's mountinfo)
// and /sys/dev/block/MAJ:MIN; then up the sysfs device path to the first `numa_node` (the PCI
// function's), or for a device-mapper or md volume to its member disks' (`slaves`) when they
// agree. -1 when unknown: sockets and pipes, tmpfs/overlay/NFS files (major 0), loop devices,
// volumes over disks of two nodes, firmware without a node. Sysfs answers are cached per resolver: one
// per policy cycle, since a device does not change nodes within it.
class DeviceNodeResolver {
 public:
  explicit DeviceNodeResolver(const HostRoot& root) : root_(root) {}
  int node_of_open_file(const std::string& target, const std::vector<MountInfoEntry>& mounts);
  // The process's mounts, read once per mount namespace and root (/proc/PID/ns/mnt and root):
  // a host with thousands of container mounts has a mountinfo of hundreds of KiB that every
  // process in that namespace shares.
  Result<const std::vector<MountInfoEntry>*> mounts_of(int pid);

 private:
  int node_of_sysfs_device(const std::string& sysfs_entry);
  const std::vector<std::string>& device_classes();
  const HostRoot& root_;
  std::map<std::string, int> node_of_entry_;
  std::vector<std::string> classes_;
  bool classes_read_ = false;
  std::map<std::string, std::vector<MountInfoEntry>> mounts_of_namespace_;
  std::vector<MountInfoEntry> last_unshared_;  // a process whose namespace cannot be named
};

// The node of the devices a process does IO through: its open files (at most `max_files`)
// resolved as above; the node when every one that resolves is on the same node, -1 when none
// resolves or they disagree (no single device node to move it near). kNotFound when the process
// exited; kPermission without the right to read its fds.
Result<int> io_device_node(const HostRoot& root, int pid, DeviceNodeResolver& resolver, std::size_t max_files);

}  // namespace aurora::coord::hints_detail
