// Which NUMA node a process's IO devices sit on, from what it has open. The kernel keeps no
// per-process IO accounting by device, but an IO-bound process's open device files, the block
// devices under its open files and the interfaces its connected sockets are routed by
// (socket_routes.cpp) name the devices it can be doing IO with; firmware gives each PCI
// function a node (`numa_node`, from ACPI _PXM), which sysfs shows on the device and which every
// block, class or network device below it inherits.
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "policy/hint_signals.hpp"

namespace aurora::coord::hints_detail {

namespace {

namespace fs = std::filesystem;

// The mount holding `path`: the last (top-most) of those with the longest matching mount point.
const MountInfoEntry* mount_of(const std::string& path, const std::vector<MountInfoEntry>& mounts) {
  const MountInfoEntry* best = nullptr;
  for (const MountInfoEntry& m : mounts) {
    const std::string& point = m.mount_point;
    const bool inside = point == "/" || path == point ||
                        (path.size() > point.size() && path.starts_with(point) && path[point.size()] == '/');
    if (inside && (!best || point.size() >= best->mount_point.size())) best = &m;
  }
  return best;
}

}  // namespace

const std::vector<std::string>& DeviceNodeResolver::device_classes() {
  if (!classes_read_) {
    classes_read_ = true;
    if (auto names = root_.list_dir("/sys/class")) classes_ = *names;
  }
  return classes_;
}

int DeviceNodeResolver::node_of_sysfs_device(const std::string& sysfs_entry) {
  if (auto it = node_of_entry_.find(sysfs_entry); it != node_of_entry_.end()) return it->second;
  node_of_entry_[sysfs_entry] = -1;  // also what a cycle of slaves (never seen) would read
  int node = -1;
  std::error_code ec;
  // Class and /sys/dev entries are symlinks into /sys/devices; the real path's ancestors are
  // the device's parents (partition -> disk -> controller -> PCI function). A --root tree's
  // links are relative, so they resolve inside it.
  const fs::path top = fs::weakly_canonical(root_.path("/"), ec);
  const fs::path devices = top / "sys" / "devices";
  for (fs::path at = fs::canonical(root_.path(sysfs_entry), ec);
       !ec && at != devices && at.native().starts_with(devices.native()); at = at.parent_path()) {
    std::error_code exists_ec;
    // A device-mapper or md volume (LVM, RAID; or a partition of one) has no device of its own:
    // it is where its member disks are, when they all are on one node.
    if (auto members = root_.list_dir("/" + fs::relative(at / "slaves", top, exists_ec).string());
        members && !members->empty()) {
      for (const std::string& member : *members) {
        const int on = node_of_sysfs_device("/sys/class/block/" + member);
        if (on < 0 || (node >= 0 && on != node)) {
          node = -1;
          break;
        }
        node = on;
      }
      break;
    }
    if (!fs::exists(at / "numa_node", exists_ec)) continue;
    if (auto value = root_.read_integer("/" + fs::relative(at / "numa_node", top, exists_ec).string()))
      node = static_cast<int>(*value);
    break;
  }
  // A bond, team or VLAN interface is where the interfaces below it (`lower_<name>` links) are.
  if (node < 0 && sysfs_entry.starts_with("/sys/class/net/"))
    if (auto entries = root_.list_dir(sysfs_entry)) {
      int lower_node = -1;
      bool agree = true;
      for (const std::string& entry : *entries) {
        if (!entry.starts_with("lower_")) continue;
        const int on = node_of_sysfs_device("/sys/class/net/" + entry.substr(6));
        agree = agree && on >= 0 && (lower_node < 0 || on == lower_node);
        lower_node = on;
      }
      if (agree) node = lower_node;
    }
  node_of_entry_[sysfs_entry] = node < 0 ? -1 : node;
  return node_of_entry_[sysfs_entry];
}

int DeviceNodeResolver::node_of_open_file(const std::string& target, const std::vector<MountInfoEntry>& mounts) {
  if (!target.starts_with('/')) return -1;  // socket:[...], pipe:[...], anon_inode:[...]
  std::string path = target;
  if (constexpr std::string_view kDeleted = " (deleted)"; path.ends_with(kDeleted)) path.resize(path.size() - kDeleted.size());
  if (path.starts_with("/dev/")) {
    const std::string name = fs::path(path).filename().string();
    if (root_.exists("/sys/class/block/" + name)) return node_of_sysfs_device("/sys/class/block/" + name);
    for (const std::string& cls : device_classes())
      if (cls != "block" && root_.exists(fmt::format("/sys/class/{}/{}", cls, name)))
        return node_of_sysfs_device(fmt::format("/sys/class/{}/{}", cls, name));
    return -1;  // /dev/pts/N, /dev/shm files and the like: no device of their own
  }
  const MountInfoEntry* mount = mount_of(path, mounts);
  if (!mount || mount->device.starts_with("0:")) return -1;  // tmpfs, overlay, NFS, proc
  return node_of_sysfs_device("/sys/dev/block/" + mount->device);
}

Result<const std::vector<MountInfoEntry>*> DeviceNodeResolver::mounts_of(int pid) {
  // mountinfo's mount points are relative to the process's root: a chroot in the same
  // namespace sees other paths, so the root is part of the key.
  std::error_code ec, root_ec;
  std::string name = fs::read_symlink(root_.path(fmt::format("/proc/{}/ns/mnt", pid)), ec).string();
  name += " " + fs::read_symlink(root_.path(fmt::format("/proc/{}/root", pid)), root_ec).string();
  if (!ec)
    if (auto it = mounts_of_namespace_.find(name); it != mounts_of_namespace_.end()) return &it->second;
  auto mounts = read_proc_mountinfo(root_, pid);
  if (!mounts) return tl::unexpected(mounts.error());
  if (ec) {
    last_unshared_ = std::move(*mounts);
    return &last_unshared_;
  }
  return &(mounts_of_namespace_[name] = std::move(*mounts));
}

Result<std::set<int>> DeviceNodeResolver::nodes_of_sockets(int pid, const std::vector<std::uint64_t>& inodes) {
  std::set<int> nodes;
  std::error_code ec, own_ec;
  const std::string name = fs::read_symlink(root_.path(fmt::format("/proc/{}/ns/net", pid)), ec).string();
  const std::string own = fs::read_symlink(root_.path("/proc/self/ns/net"), own_ec).string();
  if (!ec && !own_ec && name != own) return nodes;
  auto it = net_namespaces_.find(name);
  if (it == net_namespaces_.end()) {
    NetNamespace read;
    auto peers = read_socket_peers(root_, pid);
    if (!peers) return tl::unexpected(peers.error());
    auto routes = read_net_routes(root_, pid);
    if (!routes) return tl::unexpected(routes.error());
    read.peers = std::move(*peers);
    read.routes = std::move(*routes);
    it = net_namespaces_.emplace(name, std::move(read)).first;
  }
  for (std::uint64_t inode : inodes) {
    auto peer = it->second.peers.find(inode);
    if (peer == it->second.peers.end()) continue;
    const std::string interface = egress_interface(it->second.routes, peer->second);
    if (interface.empty()) continue;
    if (const int node = node_of_sysfs_device("/sys/class/net/" + interface); node >= 0) nodes.insert(node);
  }
  return nodes;
}

Result<int> io_device_node(const HostRoot& root, int pid, DeviceNodeResolver& resolver, std::size_t max_files) {
  auto targets = read_open_file_targets(root, pid, max_files);
  if (!targets) return tl::unexpected(targets.error());
  if (targets->empty()) return -1;  // nothing open (a zombie has no fds and no mounts to read)
  auto mounts = resolver.mounts_of(pid);
  if (!mounts) return tl::unexpected(mounts.error());
  std::set<int> nodes;
  std::vector<std::uint64_t> sockets;
  for (const std::string& target : *targets) {
    if (target.starts_with("socket:[")) {
      sockets.push_back(std::strtoull(target.c_str() + 8, nullptr, 10));
      continue;
    }
    if (const int node = resolver.node_of_open_file(target, **mounts); node >= 0) nodes.insert(node);
  }
  if (!sockets.empty()) {
    auto network = resolver.nodes_of_sockets(pid, sockets);
    if (!network) return tl::unexpected(network.error());
    nodes.insert(network->begin(), network->end());
  }
  // Devices on two nodes: no single place is near both.
  return nodes.size() == 1 ? *nodes.begin() : -1;
}

}  // namespace aurora::coord::hints_detail
