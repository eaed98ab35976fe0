// read_topology() on fake sysfs trees shaped like real machines. Each tree is written in the
// kernel's formats (tests/unit/fake_machine.hpp); the expected values follow from the shape,
// as `numactl -H` and `lstopo` show them on such machines.
#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aurora/cpu_list.hpp"
#include "aurora/topology.hpp"
#include "fake_machine.hpp"

namespace aurora {
namespace {

std::vector<int> ids(const std::string& list) { return *parse_cpu_list(list); }

Topology read_ok(const FakeTree& tree) {
  auto topology = read_topology(HostRoot(tree.path()));
  EXPECT_TRUE(topology) << topology.error().message;
  return topology ? *topology : Topology{};
}

// 2 x Xeon Gold 6248 (Cascade Lake, 20 cores, Hyper-Threading): Linux numbers the first thread
// of every core first (0-39), then the second threads (40-79); one L3 of 27.5 MiB per socket.
void write_two_socket_xeon(const FakeTree& tree) {
  FakeMachine m(tree);
  m.online_cpus("0-79");
  m.online_nodes("0-1");
  m.has_cpu("0-1");
  m.node(0, "0-19,40-59", 196485548, 180120332, "10 21", 512, 500, 2);
  m.node(1, "20-39,60-79", 198147072, 190000000, "21 10", 512, 512, 2);
  for (int cpu = 0; cpu < 80; ++cpu) {
    const int core_index = cpu % 40;
    const int package = core_index / 20;
    const std::string threads = fmt::format("{},{}", core_index, core_index + 40);
    m.cpu(cpu, package, core_index % 20, threads);
    m.x86_caches(cpu, threads, "1024K", "28160K", package == 0 ? "0-19,40-59" : "20-39,60-79");
  }
  m.pci("0000:00:00.0", "0x060000", 0);  // host bridge
  m.pci("0000:18:00.0", "0x020000", 0);  // Ethernet
  m.pci("0000:5e:00.0", "0x010802", 0);  // NVMe
  m.pci("0000:af:00.0", "0x030200", 1);  // 3D controller (data-centre GPU)
  m.pci("0000:d8:00.0", "0x120000", 1);  // processing accelerator
}

TEST(TopologyShapes, TwoSocketXeonWithSmt) {
  FakeTree tree;
  write_two_socket_xeon(tree);
  const Topology t = read_ok(tree);

  ASSERT_EQ(t.nodes.size(), 2u);
  EXPECT_EQ(t.nodes[0].cpus, ids("0-19,40-59"));
  EXPECT_EQ(t.nodes[1].cpus, ids("20-39,60-79"));
  EXPECT_EQ(t.nodes[0].memory_total_bytes, 196485548ull * 1024);
  EXPECT_EQ(t.nodes[0].memory_free_bytes, 180120332ull * 1024);
  EXPECT_EQ(t.nodes[1].memory_total_bytes, 198147072ull * 1024);
  EXPECT_EQ(t.nodes[0].hugepages_total.at(2u << 20), 512u);
  EXPECT_EQ(t.nodes[0].hugepages_free.at(2u << 20), 500u);
  EXPECT_EQ(t.nodes[0].hugepages_total.at(1u << 30), 2u);
  EXPECT_EQ(t.distance(0, 1), 21);
  EXPECT_EQ(t.distance(1, 1), 10);
  EXPECT_EQ(t.nodes[0].memory_kind, "DRAM");

  ASSERT_EQ(t.cpus.size(), 80u);
  EXPECT_EQ(t.node_of_cpu(45), 0);
  EXPECT_EQ(t.node_of_cpu(65), 1);
  EXPECT_EQ(t.cpus[5].smt_siblings, (std::vector<int>{5, 45}));
  EXPECT_EQ(t.cpus[65].package, 1);
  EXPECT_EQ(t.cpus[65].core, 5);
  EXPECT_EQ(t.cpus[25].core, t.cpus[65].core);

  ASSERT_EQ(t.llc_groups.size(), 2u);
  EXPECT_EQ(t.llc_groups[0].cpus, ids("0-19,40-59"));
  EXPECT_EQ(t.llc_groups[1].cpus, ids("20-39,60-79"));
  EXPECT_EQ(t.llc_groups[0].size_bytes, 28160u * 1024);
  EXPECT_EQ(t.cpus[59].llc, t.llc_groups[0].id);
  EXPECT_EQ(t.cpus[20].llc, t.llc_groups[1].id);

  ASSERT_EQ(t.devices.size(), 5u);
  std::map<std::string, std::pair<std::string, int>> by_address;
  for (const PciDevice& d : t.devices) by_address[d.address] = {d.kind, d.node};
  EXPECT_EQ(by_address["0000:00:00.0"], (std::pair<std::string, int>{"other", 0}));
  EXPECT_EQ(by_address["0000:18:00.0"], (std::pair<std::string, int>{"network", 0}));
  EXPECT_EQ(by_address["0000:5e:00.0"], (std::pair<std::string, int>{"storage", 0}));
  EXPECT_EQ(by_address["0000:af:00.0"], (std::pair<std::string, int>{"gpu", 1}));
  EXPECT_EQ(by_address["0000:d8:00.0"], (std::pair<std::string, int>{"accelerator", 1}));
}

TEST(TopologyShapes, JsonFollowsTheContract) {
  FakeTree tree;
  write_two_socket_xeon(tree);
  const nlohmann::json j = read_ok(tree);
  ASSERT_EQ(j.at("nodes").size(), 2u);
  const auto& node1 = j.at("nodes").at(1);
  EXPECT_EQ(node1.at("id"), 1);
  EXPECT_EQ(node1.at("cpus").get<std::vector<int>>(), ids("20-39,60-79"));
  EXPECT_EQ(node1.at("memory_total_bytes").get<std::uint64_t>(), 198147072ull * 1024);
  EXPECT_EQ(node1.at("memory_free_bytes").get<std::uint64_t>(), 190000000ull * 1024);
  EXPECT_EQ(node1.at("distances"), (nlohmann::json{{"0", 21}, {"1", 10}}));
}

// Ice Lake Xeon Platinum 8380 x 2 with sub-NUMA clustering (SNC2): each socket is split into
// two nodes of 20 cores with their own memory controllers, but the L3 stays one per socket, so
// an LLC group spans two nodes (the kernel logs "llc-sibling ... not on the same node").
TEST(TopologyShapes, SubNumaClusteringSplitsSocketsButNotTheirL3) {
  FakeTree tree;
  FakeMachine m(tree);
  m.online_cpus("0-159");
  m.online_nodes("0-3");
  m.has_cpu("0-3");
  m.node(0, "0-19,80-99", 131596288, 120000000, "10 11 20 20");
  m.node(1, "20-39,100-119", 132115832, 121000000, "11 10 20 20");
  m.node(2, "40-59,120-139", 132115832, 122000000, "20 20 10 11");
  m.node(3, "60-79,140-159", 132089468, 123000000, "20 20 11 10");
  for (int cpu = 0; cpu < 160; ++cpu) {
    const int core_index = cpu % 80;
    const int package = core_index / 40;
    const std::string threads = fmt::format("{},{}", core_index, core_index + 80);
    m.cpu(cpu, package, core_index % 40, threads);
    m.x86_caches(cpu, threads, "1280K", "61440K", package == 0 ? "0-39,80-119" : "40-79,120-159");
  }
  const Topology t = read_ok(tree);

  ASSERT_EQ(t.nodes.size(), 4u);
  EXPECT_EQ(t.nodes[1].cpus, ids("20-39,100-119"));
  EXPECT_EQ(t.distance(0, 1), 11);
  EXPECT_EQ(t.distance(1, 0), 11);
  EXPECT_EQ(t.distance(1, 2), 20);
  EXPECT_EQ(t.node_of_cpu(100), 1);
  EXPECT_EQ(t.cpus[100].package, 0);
  EXPECT_EQ(t.cpus[100].smt_siblings, (std::vector<int>{20, 100}));

  ASSERT_EQ(t.llc_groups.size(), 2u);
  for (const LlcGroup& group : t.llc_groups) {
    std::set<int> nodes;
    for (int cpu : group.cpus) nodes.insert(t.node_of_cpu(cpu));
    EXPECT_EQ(nodes.size(), 2u) << "LLC group " << group.id << " should span two SNC nodes";
    EXPECT_EQ(group.cpus.size(), 80u);
  }
  EXPECT_EQ(t.cpus[0].llc, t.cpus[119].llc);
  EXPECT_NE(t.cpus[0].llc, t.cpus[40].llc);
}

// A Sapphire Rapids socket with a CXL Type 3 memory expander onlined as system RAM: the
// expander is node 1, with memory and no CPUs, reached through CXL region 0.
TEST(TopologyShapes, CpuLessCxlMemoryNode) {
  FakeTree tree;
  FakeMachine m(tree);
  m.online_cpus("0-63");
  m.online_nodes("0-1");
  m.has_cpu("0");
  m.node(0, "0-63", 263655908, 250000000, "10 20");
  m.node(1, "", 134217728, 134000000, "20 10");
  for (int cpu = 0; cpu < 64; ++cpu) {
    const std::string threads = fmt::format("{},{}", cpu % 32, cpu % 32 + 32);
    m.cpu(cpu, 0, cpu % 32, threads);
    m.x86_caches(cpu, threads, "2048K", "61440K", "0-63");
  }
  m.cxl_region(0, 1);
  const Topology t = read_ok(tree);

  ASSERT_EQ(t.nodes.size(), 2u);
  EXPECT_TRUE(t.nodes[1].cpuless());
  EXPECT_EQ(t.nodes[1].memory_total_bytes, 134217728ull * 1024);
  EXPECT_EQ(t.nodes[1].memory_kind, "CXL");
  EXPECT_EQ(t.nodes[0].memory_kind, "DRAM");
  EXPECT_EQ(t.distance(0, 1), 20);
  for (const CpuInfo& cpu : t.cpus) EXPECT_EQ(cpu.node, 0);

  const nlohmann::json j = t;
  EXPECT_EQ(j.at("nodes").at(1).at("cpus"), nlohmann::json::array());
}

// Xeon Max 9480 x 2 in flat mode: HBM appears as CPU-less nodes 2 and 3 next to each socket's
// DDR nodes. Without firmware performance tables in the tree nothing says "HBM", and the kind
// stays unknown rather than guessed.
TEST(TopologyShapes, HbmFlatModeNodesAreMemoryOnlyAndNotGuessed) {
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
  const Topology t = read_ok(tree);

  ASSERT_EQ(t.nodes.size(), 4u);
  EXPECT_FALSE(t.nodes[0].cpuless());
  EXPECT_TRUE(t.nodes[2].cpuless());
  EXPECT_TRUE(t.nodes[3].cpuless());
  EXPECT_EQ(t.nodes[2].memory_kind, "");
  EXPECT_EQ(t.nodes[1].memory_kind, "DRAM");
  EXPECT_EQ(t.distance(0, 2), 13);
  EXPECT_EQ(t.distance(1, 3), 13);
  EXPECT_EQ(t.distance(0, 3), 23);
}

// POWER9 (AC922-like) with sparse node ids: sockets are nodes 0 and 8, the NVLink GPU memory is
// CPU-less node 252, and CPU 5 has been taken offline (`echo 0 > cpu5/online`).
TEST(TopologyShapes, SparseNodeIdsAndAnOfflineCpu) {
  FakeTree tree;
  FakeMachine m(tree);
  m.online_cpus("0-4,6-15");
  m.online_nodes("0,8,252");
  m.has_cpu("0,8");
  m.node(0, "0-7", 266338304, 200000000, "10 40 80");
  m.node(8, "8-15", 267911168, 210000000, "40 10 80");
  m.node(252, "", 16777216, 16000000, "80 80 10");
  for (int cpu = 0; cpu < 16; ++cpu) {
    if (cpu == 5) {
      m.offline_cpu(cpu);
      continue;
    }
    const int first = cpu / 4 * 4;
    m.cpu(cpu, cpu / 8 * 8, first, fmt::format("{}-{}", first, first + 3));
  }
  const Topology t = read_ok(tree);

  ASSERT_EQ(t.nodes.size(), 3u);
  EXPECT_EQ(t.nodes[0].id, 0);
  EXPECT_EQ(t.nodes[1].id, 8);
  EXPECT_EQ(t.nodes[2].id, 252);
  ASSERT_NE(t.node(8), nullptr);
  EXPECT_EQ(t.node(1), nullptr);
  EXPECT_EQ(t.node(8)->distances, (std::map<int, int>{{0, 40}, {8, 10}, {252, 80}}));
  EXPECT_EQ(t.distance(0, 252), 80);
  EXPECT_EQ(t.nodes[0].cpus, ids("0-4,6-7"));
  EXPECT_TRUE(t.node(252)->cpuless());

  ASSERT_EQ(t.cpus.size(), 15u);
  EXPECT_EQ(t.node_of_cpu(5), -1);
  EXPECT_EQ(t.node_of_cpu(9), 8);
  EXPECT_EQ(t.cpus[4].id, 4);
  EXPECT_EQ(t.cpus[4].smt_siblings, (std::vector<int>{4, 6, 7}));
  EXPECT_TRUE(t.llc_groups.empty());

  const nlohmann::json j = t;
  EXPECT_EQ(j.at("nodes").at(2).at("distances"),
            (nlohmann::json{{"0", 80}, {"8", 80}, {"252", 10}}));
}

// A Ryzen 7 5800X desktop: one node, 8 cores with SMT numbered 0-7 then 8-15, one 32 MiB L3.
TEST(TopologyShapes, SingleNodeDesktop) {
  FakeTree tree;
  FakeMachine m(tree);
  m.online_cpus("0-15");
  m.online_nodes("0");
  m.has_cpu("0");
  m.node(0, "0-15", 32768000, 20000000, "10");
  for (int cpu = 0; cpu < 16; ++cpu) {
    const std::string threads = fmt::format("{},{}", cpu % 8, cpu % 8 + 8);
    m.cpu(cpu, 0, cpu % 8, threads);
    m.x86_caches(cpu, threads, "512K", "32768K", "0-15");
  }
  m.pci("0000:01:00.0", "0x010802", -1);
  const Topology t = read_ok(tree);

  ASSERT_EQ(t.nodes.size(), 1u);
  EXPECT_EQ(t.nodes[0].cpus, ids("0-15"));
  EXPECT_EQ(t.nodes[0].distances, (std::map<int, int>{{0, 10}}));
  ASSERT_EQ(t.llc_groups.size(), 1u);
  EXPECT_EQ(t.llc_groups[0].size_bytes, 32u << 20);
  EXPECT_EQ(t.cpus[3].smt_siblings, (std::vector<int>{3, 11}));
  ASSERT_EQ(t.devices.size(), 1u);
  EXPECT_EQ(t.devices[0].node, -1);
  EXPECT_EQ(t.devices[0].kind, "storage");
}

// A small cloud VM (like this project's CI machine): no cache directories at all, no hugepage
// directory, devices without a node. Nothing is missing that the kernel would have shown.
TEST(TopologyShapes, VirtualMachineWithoutCacheInformation) {
  FakeTree tree;
  FakeMachine m(tree);
  m.online_cpus("0-1");
  m.online_nodes("0");
  m.node(0, "0-1", 5072672, 4612328, "10");
  tree.remove("/sys/devices/system/node/node0/hugepages");
  m.cpu(0, 0, 0, "0");
  m.cpu(1, 1, 0, "1");
  m.pci("0000:00:02.0", "0x018000", -1);
  m.pci("0000:00:03.0", "0x020000", -1);
  const Topology t = read_ok(tree);

  ASSERT_EQ(t.nodes.size(), 1u);
  EXPECT_EQ(t.nodes[0].cpus, ids("0-1"));
  EXPECT_TRUE(t.nodes[0].hugepages_total.empty());
  EXPECT_TRUE(t.llc_groups.empty());
  EXPECT_EQ(t.cpus[1].llc, -1);
  EXPECT_EQ(t.nodes[0].memory_kind, "DRAM");
}

// AWS Graviton2 (m6g.16xlarge, Neoverse N1): 64 cores, no SMT, private L1/L2, one 32 MiB L3.
TEST(TopologyShapes, ArmGravitonWithoutSmt) {
  FakeTree tree;
  FakeMachine m(tree);
  m.online_cpus("0-63");
  m.online_nodes("0");
  m.has_cpu("0");
  m.node(0, "0-63", 261766012, 255000000, "10");
  for (int cpu = 0; cpu < 64; ++cpu) {
    const std::string self = std::to_string(cpu);
    m.cpu(cpu, 0, cpu, self);
    m.cache(cpu, 0, 1, "Data", "64K", self);
    m.cache(cpu, 1, 1, "Instruction", "64K", self);
    m.cache(cpu, 2, 2, "Unified", "1024K", self);
    m.cache(cpu, 3, 3, "Unified", "32768K", "0-63");
  }
  const Topology t = read_ok(tree);

  ASSERT_EQ(t.cpus.size(), 64u);
  for (const CpuInfo& cpu : t.cpus) EXPECT_EQ(cpu.smt_siblings, (std::vector<int>{cpu.id}));
  ASSERT_EQ(t.llc_groups.size(), 1u);
  EXPECT_EQ(t.llc_groups[0].cpus.size(), 64u);
}

// Kunpeng 920-4826 x 2: 48 cores per socket in two dies (SCCLs) of 24, each die its own NUMA
// node with its own 24 MiB L3; no SMT. LLC groups follow the dies, not the sockets.
TEST(TopologyShapes, ArmKunpengWithPerDieL3Clusters) {
  FakeTree tree;
  FakeMachine m(tree);
  m.online_cpus("0-95");
  m.online_nodes("0-3");
  m.has_cpu("0-3");
  m.node(0, "0-23", 132077568, 130000000, "10 12 20 22");
  m.node(1, "24-47", 132120576, 130000000, "12 10 22 24");
  m.node(2, "48-71", 132120576, 130000000, "20 22 10 12");
  m.node(3, "72-95", 132107264, 130000000, "22 24 12 10");
  for (int cpu = 0; cpu < 96; ++cpu) {
    const std::string self = std::to_string(cpu);
    const int die = cpu / 24;
    m.cpu(cpu, cpu / 48, cpu, self);
    m.cache(cpu, 0, 1, "Data", "64K", self);
    m.cache(cpu, 1, 1, "Instruction", "64K", self);
    m.cache(cpu, 2, 2, "Unified", "512K", self);
    m.cache(cpu, 3, 3, "Unified", "24576K", fmt::format("{}-{}", die * 24, die * 24 + 23));
  }
  const Topology t = read_ok(tree);

  ASSERT_EQ(t.llc_groups.size(), 4u);
  for (const LlcGroup& group : t.llc_groups) {
    std::set<int> nodes;
    for (int cpu : group.cpus) nodes.insert(t.node_of_cpu(cpu));
    EXPECT_EQ(nodes.size(), 1u);
    EXPECT_EQ(group.size_bytes, 24u << 20);
  }
  EXPECT_EQ(t.cpus[50].package, 1);
  EXPECT_EQ(t.distance(1, 3), 24);
}

// Ampere Altra Q80-30: 80 Neoverse N1 cores, no SMT, and firmware that describes only the
// private L1 and L2 (the system-level cache is not a CPU cache in sysfs). The last level the
// kernel shows is L2, so each core is its own LLC group.
TEST(TopologyShapes, ArmAltraWhoseLastLevelIsPrivateL2) {
  FakeTree tree;
  FakeMachine m(tree);
  m.online_cpus("0-79");
  m.online_nodes("0");
  m.has_cpu("0");
  m.node(0, "0-79", 263700000, 260000000, "10");
  for (int cpu = 0; cpu < 80; ++cpu) {
    const std::string self = std::to_string(cpu);
    m.cpu(cpu, 0, cpu, self);
    m.cache(cpu, 0, 1, "Data", "64K", self);
    m.cache(cpu, 1, 1, "Instruction", "64K", self);
    m.cache(cpu, 2, 2, "Unified", "1024K", self);
  }
  const Topology t = read_ok(tree);

  ASSERT_EQ(t.llc_groups.size(), 80u);
  EXPECT_EQ(t.llc_groups[7].cpus, (std::vector<int>{7}));
  EXPECT_EQ(t.llc_groups[7].size_bytes, 1u << 20);
  EXPECT_EQ(t.cpus[7].llc, 7);
}

}  // namespace
}  // namespace aurora
