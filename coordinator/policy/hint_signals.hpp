// The per-process signals read_policy_hints combines (coordinator-internal).
#pragma once

#include <array>
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

// Where a process's threads may run, from each thread's Cpus_allowed_list.
struct ThreadPlacement {
  // The union of its threads' masks: the CPUs the process as a whole may use.
  std::vector<int> allowed_cpus;
  // The application chose per-thread placement: at least two of its threads have masks
  // narrower than allowed_cpus, and those masks differ.
  bool pinned_by_application = false;
};
// kNotFound when the process exited.
Result<ThreadPlacement> thread_placement(const HostRoot& root, int pid);

// A socket's peer address: 16 bytes, IPv4 as ::ffff:a.b.c.d.
struct PeerAddress {
  std::array<std::uint8_t, 16> bytes{};
};
// Inode -> peer address of the connected TCP and UDP sockets of the process's network namespace
// (/proc/PID/net/{tcp,tcp6,udp,udp6}); listening and unconnected ones have no peer and are left
// out. kNotFound when the process exited.
Result<std::map<std::uint64_t, PeerAddress>> read_socket_peers(const HostRoot& root, int pid);
// The routes and own addresses of its network namespace (/proc/PID/net/route, ipv6_route,
// fib_trie, if_inet6); a table the kernel does not have (no IPv6) is empty.
struct NetRoutes {
  struct Entry {
    PeerAddress prefix;
    int prefix_length = 0;  // IPv4 routes: 96 + their mask's length
    std::string interface;
  };
  std::vector<Entry> entries;
  std::vector<PeerAddress> local;  // the namespace's own addresses (fib_trie, if_inet6)
};
Result<NetRoutes> read_net_routes(const HostRoot& root, int pid);
// The interface a packet to `peer` leaves by (longest prefix), "" when no route matches or the
// peer is on the host (loopback, one of `routes.local`).
std::string egress_interface(const NetRoutes& routes, const PeerAddress& peer);

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
  // The nodes of the network interfaces the process's connected sockets (`inodes`) send by:
  // the egress interface of each peer, through its sysfs device (a bond or VLAN through its
  // `lower_*` interfaces). Nothing for a process in another network namespace than the
  // monitor's: its interface names are not the ones /sys shows here.
  Result<std::set<int>> nodes_of_sockets(int pid, const std::vector<std::uint64_t>& inodes);

 private:
  int node_of_sysfs_device(const std::string& sysfs_entry);
  const std::vector<std::string>& device_classes();
  const HostRoot& root_;
  std::map<std::string, int> node_of_entry_;
  std::vector<std::string> classes_;
  bool classes_read_ = false;
  std::map<std::string, std::vector<MountInfoEntry>> mounts_of_namespace_;
  std::vector<MountInfoEntry> last_unshared_;  // a process whose namespace cannot be named
  struct NetNamespace {
    std::map<std::uint64_t, PeerAddress> peers;
    NetRoutes routes;
  };
  std::map<std::string, NetNamespace> net_namespaces_;
};

// The node of the devices a process does IO through: its open files (at most `max_files`)
// resolved as above; the node when every one that resolves is on the same node, -1 when none
// resolves or they disagree (no single device node to move it near). kNotFound when the process
// exited; kPermission without the right to read its fds.
Result<int> io_device_node(const HostRoot& root, int pid, DeviceNodeResolver& resolver, std::size_t max_files);

}  // namespace aurora::coord::hints_detail
