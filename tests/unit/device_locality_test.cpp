// Device nodes from open files, on a fake tree laid out like a 2-socket server's sysfs: an NVMe
// disk and a GPU behind socket 1's root complex, a SATA disk behind socket 0's, a virtio disk
// whose firmware gives no node, a device-mapper volume and virtual character devices.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "aurora/coordinator/policy_hints_reader.hpp"
#include "fake_tree.hpp"
#include "policy/hint_signals.hpp"

namespace aurora::coord {
namespace {

using hints_detail::DeviceNodeResolver;
using hints_detail::io_device_node;

constexpr char kNvme[] = "/sys/devices/pci0000:80/0000:80:00.0/nvme/nvme0/nvme0n1";
constexpr char kSata[] = "/sys/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda";

// A sysfs device directory and the links the kernel makes to it (relative, as sysfs does).
void device(const FakeTree& tree, const std::string& dir, const std::vector<std::string>& links) {
  tree.write(dir + "/dev", "0:0\n");
  for (const std::string& link : links) {
    const int depth = static_cast<int>(std::count(link.begin(), link.end(), '/')) - 1;
    std::string up;
    for (int i = 0; i < depth; ++i) up += "../";
    tree.symlink(link, up + dir.substr(1));
  }
}

class ServerTree {
 public:
  ServerTree() {
    tree.write("/sys/devices/pci0000:80/0000:80:00.0/numa_node", "1\n");
    device(tree, kNvme, {"/sys/class/block/nvme0n1", "/sys/dev/block/259:0"});
    device(tree, std::string(kNvme) + "/nvme0n1p1", {"/sys/class/block/nvme0n1p1", "/sys/dev/block/259:1"});
    tree.write("/sys/devices/pci0000:80/0000:80:02.0/numa_node", "1\n");
    device(tree, "/sys/devices/pci0000:80/0000:80:02.0/drm/renderD128", {"/sys/class/drm/renderD128"});
    tree.write("/sys/devices/pci0000:00/0000:00:17.0/numa_node", "0\n");
    device(tree, std::string(kSata) + "/sda2", {"/sys/class/block/sda2", "/sys/dev/block/8:2"});
    tree.write("/sys/devices/pci0000:00/0000:00:02.0/numa_node", "-1\n");
    device(tree, "/sys/devices/pci0000:00/0000:00:02.0/virtio1/block/vda", {"/sys/class/block/vda", "/sys/dev/block/254:16"});
    device(tree, "/sys/devices/virtual/block/dm-0", {"/sys/class/block/dm-0", "/sys/dev/block/253:0"});
    device(tree, "/sys/devices/virtual/mem/null", {"/sys/class/mem/null"});
    // LVM over the NVMe partition; md RAID 1 over disks of both sockets; md1 over the NVMe
    // partition only, with a partition of its own. Members are links in `slaves`.
    device(tree, "/sys/devices/virtual/block/dm-1", {"/sys/class/block/dm-1", "/sys/dev/block/253:1"});
    tree.symlink("/sys/devices/virtual/block/dm-1/slaves/nvme0n1p1", "../../../../pci0000:80/0000:80:00.0/nvme/nvme0/nvme0n1/nvme0n1p1");
    device(tree, "/sys/devices/virtual/block/md0", {"/sys/class/block/md0", "/sys/dev/block/9:0"});
    tree.symlink("/sys/devices/virtual/block/md0/slaves/nvme0n1p1", "../../../../pci0000:80/0000:80:00.0/nvme/nvme0/nvme0n1/nvme0n1p1");
    tree.symlink("/sys/devices/virtual/block/md0/slaves/sda2", "../../../../pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda2");
    device(tree, "/sys/devices/virtual/block/md1", {"/sys/class/block/md1"});
    tree.symlink("/sys/devices/virtual/block/md1/slaves/nvme0n1p1", "../../../../pci0000:80/0000:80:00.0/nvme/nvme0/nvme0n1/nvme0n1p1");
    device(tree, "/sys/devices/virtual/block/md1/md1p1", {"/sys/class/block/md1p1", "/sys/dev/block/259:9"});
  }
  // A process with these mounts (mountinfo lines' device and mount point) and open files.
  void process(int pid, const std::vector<std::pair<std::string, std::string>>& mounts,
               const std::vector<std::string>& open_files) const {
    std::string mountinfo;
    int id = 20;
    for (const auto& [dev, point] : mounts)
      mountinfo += fmt::format("{} 1 {} / {} rw,relatime shared:{} - ext4 /dev/x rw\n", id++, dev, point, id);
    tree.write(fmt::format("/proc/{}/mountinfo", pid), mountinfo);
    tree.mkdir(fmt::format("/proc/{}/fd", pid));
    for (size_t fd = 0; fd < open_files.size(); ++fd) tree.symlink(fmt::format("/proc/{}/fd/{}", pid, fd), open_files[fd]);
  }
  int node_of(int pid, std::size_t max_files = 1024) const {
    DeviceNodeResolver resolver(root);
    auto node = io_device_node(root, pid, resolver, max_files);
    EXPECT_TRUE(node) << node.error().message;
    return node ? *node : -100;
  }
  FakeTree tree;
  HostRoot root{tree.path()};
};

const std::vector<std::pair<std::string, std::string>> kMounts = {
    {"253:0", "/"}, {"0:22", "/proc"}, {"0:45", "/dev/shm"}, {"259:1", "/data"}, {"8:2", "/scratch"},
    {"0:51", "/data/cache"}, {"259:1", "/mnt/fast\\040disk"}};

TEST(DeviceLocality, ADatabaseOnTheNvmeDiskOfSocketOneIsOnNodeOne) {
  ServerTree server;
  // Its data files on /data (the NVMe partition), a raw handle on the disk, and the usual
  // sockets, pipes, /dev/null and a log on the root volume (device mapper: no node).
  server.process(100, kMounts,
                 {"/dev/null", "socket:[52371]", "pipe:[1234]", "/data/base/16384", "/data/pg_wal/0001 (deleted)",
                  "/dev/nvme0n1", "/var/log/db.log", "anon_inode:[eventpoll]"});
  EXPECT_EQ(server.node_of(100), 1);
}

TEST(DeviceLocality, FilesOnDisksOfBothSocketsGiveNoNode) {
  ServerTree server;
  server.process(200, kMounts, {"/data/a", "/scratch/b"});
  EXPECT_EQ(server.node_of(200), -1);
}

TEST(DeviceLocality, TheLongestMountPointHoldsTheFile) {
  ServerTree server;
  // /data/cache is a tmpfs stacked inside /data: its files are in memory, on no device.
  server.process(300, kMounts, {"/data/cache/x", "/scratch/y"});
  EXPECT_EQ(server.node_of(300), 0);
  // An escaped mount point ("\040" for a space) matches the path the fd link gives.
  server.process(301, kMounts, {"/mnt/fast disk/table"});
  EXPECT_EQ(server.node_of(301), 1);
}

TEST(DeviceLocality, CharacterDevicesResolveThroughTheirClass) {
  ServerTree server;
  server.process(400, kMounts, {"/dev/dri/renderD128", "/dev/null", "/dev/pts/0"});
  EXPECT_EQ(server.node_of(400), 1);
}

TEST(DeviceLocality, MemoryFilesystemsVirtualDevicesAndFirmwareWithoutANodeGiveNone) {
  ServerTree server;
  server.process(500, kMounts, {"/dev/shm/seg", "/proc/stat", "/dev/null", "/dev/vda", "/dev/dm-0", "/etc/hosts", "socket:[1]"});
  EXPECT_EQ(server.node_of(500), -1);
  server.process(501, kMounts, {});
  EXPECT_EQ(server.node_of(501), -1);
}

TEST(DeviceLocality, VolumesAreWhereTheirMemberDisksAre) {
  ServerTree server;
  server.process(550, {{"253:1", "/"}, {"259:9", "/srv"}}, {"/dev/dm-1"});
  EXPECT_EQ(server.node_of(550), 1);   // LVM on the NVMe disk
  server.process(551, {{"253:1", "/"}, {"259:9", "/srv"}}, {"/var/lib/x", "/srv/y"});
  EXPECT_EQ(server.node_of(551), 1);   // a file on the LVM volume; one on a partition of md1
  server.process(552, kMounts, {"/dev/md0"});
  EXPECT_EQ(server.node_of(552), -1);  // RAID over disks of both sockets: no single node
}

TEST(DeviceLocality, OnlyTheFirstMaxFilesAreResolved) {
  ServerTree server;
  std::vector<std::string> sockets(8, "socket:[9]");
  sockets.push_back("/dev/nvme0n1p1");
  server.process(600, kMounts, sockets);
  EXPECT_EQ(server.node_of(600, 1024), 1);
  EXPECT_EQ(server.node_of(600, 4), -1);
}

TEST(DeviceLocality, AProcessThatExitedIsNotFoundAndAMalformedMountinfoIsBadInput) {
  ServerTree server;
  DeviceNodeResolver resolver(server.root);
  auto gone = io_device_node(server.root, 700, resolver, 16);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::kNotFound);
  server.process(701, kMounts, {"/data/a"});
  server.tree.write("/proc/701/mountinfo", "20 1 259:1 /data\n");
  auto bad = io_device_node(server.root, 701, resolver, 16);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(bad.error().message.find("/proc/701/mountinfo:1"), std::string::npos) << bad.error().message;
}

TEST(DeviceLocality, MountsAreReadOncePerMountNamespace) {
  ServerTree server;
  server.process(900, kMounts, {"/data/a"});
  server.process(901, {}, {"/scratch/b"});
  server.tree.write("/proc/901/mountinfo", "not read: the namespace's mounts are known\n");
  server.process(902, {{"8:2", "/"}}, {"/data/a"});  // another namespace: /data is not mounted there
  server.tree.symlink("/proc/900/ns/mnt", "mnt:[4026531840]");
  server.tree.symlink("/proc/901/ns/mnt", "mnt:[4026531840]");
  server.tree.symlink("/proc/902/ns/mnt", "mnt:[4026532210]");
  DeviceNodeResolver resolver(server.root);
  EXPECT_EQ(*io_device_node(server.root, 900, resolver, 16), 1);
  auto second = io_device_node(server.root, 901, resolver, 16);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(*second, 0);
  EXPECT_EQ(*io_device_node(server.root, 902, resolver, 16), 0);  // its root is the SATA disk
}

// The network side of the same server: eth0 on socket 0's PCI, ens1f0/ens1f1 on socket 1's,
// bond0 over ens1f0 and ens1f1. Routes: 192.0.2.0/24 on ens1f0, 2001:db8::/64 on bond0, the
// default route on eth0. The host's own address is 192.0.2.15.
class NetworkedServer : public ServerTree {
 public:
  NetworkedServer() {
    tree.write("/sys/devices/pci0000:00/0000:00:19.0/numa_node", "0\n");
    device(tree, "/sys/devices/pci0000:00/0000:00:19.0/net/eth0", {"/sys/class/net/eth0"});
    tree.write("/sys/devices/pci0000:80/0000:81:00.0/numa_node", "1\n");
    device(tree, "/sys/devices/pci0000:80/0000:81:00.0/net/ens1f0", {"/sys/class/net/ens1f0"});
    tree.write("/sys/devices/pci0000:80/0000:81:00.1/numa_node", "1\n");
    device(tree, "/sys/devices/pci0000:80/0000:81:00.1/net/ens1f1", {"/sys/class/net/ens1f1"});
    device(tree, "/sys/devices/virtual/net/bond0", {"/sys/class/net/bond0"});
    tree.symlink("/sys/devices/virtual/net/bond0/lower_ens1f0", "../../../pci0000:80/0000:81:00.0/net/ens1f0");
    tree.symlink("/sys/devices/virtual/net/bond0/lower_ens1f1", "../../../pci0000:80/0000:81:00.1/net/ens1f1");
    device(tree, "/sys/devices/virtual/net/lo", {"/sys/class/net/lo"});
    tree.symlink("/proc/self/ns/net", "net:[4026531840]");
  }
  // A process in the host's network namespace whose sockets are these /proc/net/tcp and tcp6
  // lines (inode as the last field).
  void networked(int pid, const std::vector<std::string>& tcp, const std::vector<std::string>& tcp6,
                 const std::vector<std::string>& open_files, const std::string& net_namespace = "net:[4026531840]") const {
    process(pid, kMounts, open_files);
    tree.symlink(fmt::format("/proc/{}/ns/net", pid), net_namespace);
    const std::string header =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    std::string v4 = header, v6 = header;
    for (const std::string& line : tcp) v4 += line + "\n";
    for (const std::string& line : tcp6) v6 += line + "\n";
    const std::string dir = fmt::format("/proc/{}/net/", pid);
    tree.write(dir + "tcp", v4);
    tree.write(dir + "tcp6", v6);
    tree.write(dir + "route",
               "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
               "eth0\t00000000\t016433C6\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
               "ens1f0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
               "eth0\t006433C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n");
    tree.write(dir + "ipv6_route",
               "20010db8000000000000000000000000 40 00000000000000000000000000000000 00 "
               "00000000000000000000000000000000 00000100 00000001 00000000 00000001    bond0\n");
    tree.write(dir + "fib_trie", "Local:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 192.0.2.15\n        /32 host LOCAL\n");
    tree.write(dir + "if_inet6", "00000000000000000000000000000001 01 80 10 80       lo\n");
  }
};

// /proc/net/tcp lines: a listener on :5432, connections to 192.0.2.77 (ens1f0), to 127.0.0.1, to
// the host's own 192.0.2.15, and to 8.8.8.8 (default route: eth0).
constexpr char kListener[] = "   0: 00000000:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   105        0 3001 1";
constexpr char kToSubnet[] = "   1: 0F0200C0:1538 4D0200C0:D431 01 00000000:00000000 00:00000000 00000000   105        0 3002 1";
constexpr char kToLoopback[] = "   2: 0100007F:1538 0100007F:D432 01 00000000:00000000 00:00000000 00000000   105        0 3003 1";
constexpr char kToSelf[] = "   3: 0F0200C0:1538 0F0200C0:D433 01 00000000:00000000 00:00000000 00000000   105        0 3004 1";
constexpr char kToInternet[] = "   4: 0F0200C0:D434 08080808:01BB 01 00000000:00000000 00:00000000 00000000   105        0 3005 1";
// tcp6: a connection to 2001:db8::5 (bond0).
constexpr char kToV6[] =
    "   0: 0000000000000000FFFF00000F0200C0:1538 B80D0120000000000000000005000000:D435 01 00000000:00000000 00:00000000 "
    "00000000   105        0 3006 1";

TEST(DeviceLocality, ASocketIsWhereTheInterfaceItsPeerIsRoutedByIs) {
  NetworkedServer server;
  server.networked(1000, {kListener, kToSubnet, kToLoopback, kToSelf}, {},
                   {"socket:[3001]", "socket:[3002]", "socket:[3003]", "socket:[3004]"});
  EXPECT_EQ(server.node_of(1000), 1);  // ens1f0; the listener and the host-local peers say nothing
  server.networked(1001, {kToInternet}, {}, {"socket:[3005]", "/dev/null"});
  EXPECT_EQ(server.node_of(1001), 0);  // the default route: eth0
  server.networked(1002, {}, {kToV6}, {"socket:[3006]"});
  EXPECT_EQ(server.node_of(1002), 1);  // bond0, over two ports of socket 1's NIC
  server.networked(1003, {kListener, kToLoopback}, {}, {"socket:[3001]", "socket:[3003]"});
  EXPECT_EQ(server.node_of(1003), -1);
}

TEST(DeviceLocality, SocketsAndFilesOnTwoNodesGiveNoneAndAnotherNamespaceIsNotRead) {
  NetworkedServer server;
  server.networked(1100, {kToInternet}, {}, {"socket:[3005]", "/data/base/1"});
  EXPECT_EQ(server.node_of(1100), -1);  // the NIC on node 0, the data on node 1
  // A container's network namespace: its "eth0" is a veth, not the host's eth0.
  server.networked(1101, {kToInternet}, {}, {"socket:[3005]"}, "net:[4026532500]");
  EXPECT_EQ(server.node_of(1101), -1);
}

// read_policy_hints looks devices up for IO-bound processes only: the same open files make
// no hint for a CPU-bound one (its log's disk says nothing about where it should run).
TEST(DeviceLocality, OnlyIoBoundProcessesGetADeviceNode) {
  ServerTree server;
  Snapshot snapshot;
  snapshot.interval_ns = 1'000'000'000;
  for (int pid : {800, 801}) {
    server.process(pid, kMounts, {"/data/base/16384", "socket:[3]"});
    server.tree.write(fmt::format("/proc/{}/stat", pid),
                      fmt::format("{} (db) S 1 {} {} 0 -1 4194560 101 0 3 0 250 75 0 0 20 0 1 0 133148 3133440 256 "
                                  "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
                                  pid, pid, pid));
    server.tree.write(fmt::format("/proc/{}/task/{}/status", pid, pid),
                      fmt::format("Name:\tdb\nTgid:\t{}\nPid:\t{}\nCpus_allowed_list:\t0-3\n", pid, pid));
    ProcessSample& p = snapshot.processes.emplace_back();
    p.pid = pid;
    p.comm = "db";
    ThreadSample& t = p.thread_samples.emplace_back();
    t.tid = pid;
    if (pid == 800) {  // 0.2 CPUs, 1000 sleeps: 5000 sleeps per CPU-second -> io-bound
      p.cpu_ns_by_node[0] = 200'000'000;
      t.voluntary_switches = 1000;
    } else {  // a whole CPU, 10 sleeps -> cpu-bound
      p.cpu_ns_by_node[0] = 1'000'000'000;
      t.voluntary_switches = 10;
    }
  }
  auto hints = read_policy_hints(server.root, snapshot);
  ASSERT_TRUE(hints) << hints.error().message;
  EXPECT_EQ(hints->device_node, (std::map<int, int>{{800, 1}}));
}

}  // namespace
}  // namespace aurora::coord
