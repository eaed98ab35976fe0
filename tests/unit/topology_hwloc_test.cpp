// hwloc under a root prefix: it must read the tree given (HWLOC_FSROOT), not this machine, and
// step aside, leaving sysfs in charge, when the tree is too partial for it or disagrees.
#include <cstdlib>

#include <gtest/gtest.h>

#include "aurora/topology.hpp"
#include "fake_machine.hpp"
#include "topology/sysfs_readers.hpp"

namespace aurora {
namespace {

using topology_detail::hwloc_memory_subtypes;
using topology_detail::memory_kind_of_hwloc_subtype;
using topology_detail::pci_kind_of_class;

// Two sockets of two single-thread cores, plus CPU-less node 2 (persistent memory in the
// shape of an Optane App Direct namespace onlined with daxctl).
void write_three_node_machine(const FakeTree& tree, bool with_hwloc_masks) {
  FakeMachine m(tree);
  m.online_cpus("0-3");
  m.online_nodes("0-2");
  m.has_cpu("0-1");
  m.node(0, "0-1", 1048576, 1000, "10 21 17");
  m.node(1, "2-3", 1048576, 1000, "21 10 28");
  m.node(2, "", 4194304, 4000000, "17 28 10");
  for (int cpu = 0; cpu < 4; ++cpu) {
    m.cpu(cpu, cpu / 2, cpu % 2, std::to_string(cpu));
    if (with_hwloc_masks) m.hwloc_masks(cpu, fmt::format("{:x}", 1 << cpu), cpu < 2 ? "3" : "c");
  }
  if (with_hwloc_masks) {
    m.node_cpumap(0, "3");
    m.node_cpumap(1, "c");
    m.node_cpumap(2, "0");
  }
}

TEST(TopologyHwloc, ReadsTheTreeUnderTheRootNotThisMachine) {
  FakeTree tree;
  write_three_node_machine(tree, /*with_hwloc_masks=*/true);
  ASSERT_EQ(std::getenv("HWLOC_FSROOT"), nullptr);
  // This machine has one node; seeing three means hwloc read the fake tree.
  const auto subtypes = hwloc_memory_subtypes(HostRoot(tree.path()), {0, 1, 2});
  EXPECT_TRUE(subtypes.has_value());
  EXPECT_EQ(std::getenv("HWLOC_FSROOT"), nullptr) << "HWLOC_FSROOT must be restored";
}

TEST(TopologyHwloc, StepsAsideWhenItsNodesDisagreeWithSysfs) {
  FakeTree tree;
  write_three_node_machine(tree, /*with_hwloc_masks=*/true);
  EXPECT_FALSE(hwloc_memory_subtypes(HostRoot(tree.path()), {0, 1}).has_value());
}

TEST(TopologyHwloc, StepsAsideOnATreeTooPartialForIt) {
  FakeTree tree;
  write_three_node_machine(tree, /*with_hwloc_masks=*/false);
  EXPECT_FALSE(hwloc_memory_subtypes(HostRoot(tree.path()), {0, 1, 2}).has_value());
  // ...and read_topology still reads the tree from sysfs alone.
  auto topology = read_topology(HostRoot(tree.path()));
  ASSERT_TRUE(topology) << topology.error().message;
  EXPECT_EQ(topology->nodes.size(), 3u);
  EXPECT_TRUE(topology->nodes[2].cpuless());
  EXPECT_EQ(topology->nodes[2].memory_kind, "");
}

TEST(TopologyHwloc, SubtypesMapToMemoryKinds) {
  EXPECT_EQ(memory_kind_of_hwloc_subtype("DRAM"), "DRAM");
  EXPECT_EQ(memory_kind_of_hwloc_subtype("HBM"), "HBM");
  EXPECT_EQ(memory_kind_of_hwloc_subtype("MCDRAM"), "HBM");
  EXPECT_EQ(memory_kind_of_hwloc_subtype("NVM"), "NVM");
  EXPECT_EQ(memory_kind_of_hwloc_subtype("CXL-DRAM"), "CXL");
  EXPECT_EQ(memory_kind_of_hwloc_subtype("GPUMemory"), "GPU");
  EXPECT_EQ(memory_kind_of_hwloc_subtype("Mystery"), "");
}

TEST(TopologyPci, ClassCodesMapToKinds) {
  EXPECT_EQ(pci_kind_of_class("0x020000"), "network");
  EXPECT_EQ(pci_kind_of_class("0x020700"), "network");  // InfiniBand
  EXPECT_EQ(pci_kind_of_class("0x010802"), "storage");  // NVMe
  EXPECT_EQ(pci_kind_of_class("0x030000"), "gpu");
  EXPECT_EQ(pci_kind_of_class("0x030200"), "gpu");
  EXPECT_EQ(pci_kind_of_class("0x120000"), "accelerator");
  EXPECT_EQ(pci_kind_of_class("0x060400"), "other");  // PCI bridge
}

// Xeon Max in flat mode with the firmware's HMAT exported: the CPU-less nodes read faster
// than the sockets' DDR5, so they are HBM.
TEST(TopologyShapes, HbmFlatModeNodesAreHbmWhenTheHmatSaysSo) {
  FakeTree tree;
  FakeMachine m(tree);
  m.online_cpus("0-7");
  m.online_nodes("0-3");
  m.has_cpu("0-1");
  m.node(0, "0-3", 263655908, 250000000, "10 21 13 23");
  m.node(1, "4-7", 264182732, 250000000, "21 10 23 13");
  m.node(2, "", 67108864, 67000000, "13 23 10 23");
  m.node(3, "", 67108864, 67000000, "23 13 23 10");
  for (int cpu = 0; cpu < 8; ++cpu) m.cpu(cpu, cpu / 4, cpu % 4, std::to_string(cpu));
  for (int node = 0; node < 4; ++node) {
    const std::string dir = fmt::format("/sys/devices/system/node/node{}/access1/initiators", node);
    tree.write(dir + "/read_bandwidth", node < 2 ? "122880\n" : "409600\n");
    tree.write(dir + "/read_latency", node < 2 ? "110\n" : "130\n");
  }
  auto t = read_topology(HostRoot(tree.path()));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->nodes[0].memory_kind, "DRAM");
  EXPECT_EQ(t->nodes[2].memory_kind, "HBM");
  EXPECT_EQ(t->nodes[3].memory_kind, "HBM");
}

}  // namespace
}  // namespace aurora
