// Broken trees: every missing or malformed file gives one error that names the file, and the
// command line turns it into one line on stderr and exit code 2 (bad input), never a crash.
#include <algorithm>

#include <gtest/gtest.h>

#include "aurora/topology.hpp"
#include "fake_machine.hpp"
#include "run_monitor.hpp"

namespace aurora {
namespace {

// A minimal healthy two-node machine, broken by each test in one place.
void write_small_machine(const FakeTree& tree) {
  FakeMachine m(tree);
  m.online_cpus("0-3");
  m.online_nodes("0-1");
  m.has_cpu("0-1");
  m.node(0, "0-1", 8388608, 4000000, "10 21");
  m.node(1, "2-3", 8388608, 4000000, "21 10");
  for (int cpu = 0; cpu < 4; ++cpu) {
    m.cpu(cpu, cpu / 2, cpu % 2, std::to_string(cpu));
    m.x86_caches(cpu, std::to_string(cpu), "1024K", "16384K", cpu < 2 ? "0-1" : "2-3");
  }
  m.pci("0000:3b:00.0", "0x020000", 0);
}

struct BrokenFile {
  const char* name;
  const char* path;     // the file to break
  const char* content;  // nullptr: delete it
  ErrorKind kind;
};

class TopologyBrokenFile : public ::testing::TestWithParam<BrokenFile> {};

TEST_P(TopologyBrokenFile, ErrorNamesTheFile) {
  const BrokenFile& broken = GetParam();
  FakeTree tree;
  write_small_machine(tree);
  ASSERT_TRUE(read_topology(HostRoot(tree.path()))) << "the unbroken tree must read";
  if (broken.content)
    tree.write(broken.path, broken.content);
  else
    tree.remove(broken.path);

  auto topology = read_topology(HostRoot(tree.path()));
  ASSERT_FALSE(topology);
  EXPECT_EQ(topology.error().kind, broken.kind);
  EXPECT_NE(topology.error().message.find(tree.resolve(broken.path).string()), std::string::npos)
      << topology.error().message;
  EXPECT_EQ(topology.error().message.find('\n'), std::string::npos);
  EXPECT_EQ(exit_code_for(topology.error().kind), 2);
}

INSTANTIATE_TEST_SUITE_P(
    Files, TopologyBrokenFile,
    ::testing::Values(
        BrokenFile{"MissingCpuOnline", "/sys/devices/system/cpu/online", nullptr,
                   ErrorKind::kNotFound},
        BrokenFile{"MalformedCpuOnline", "/sys/devices/system/cpu/online", "0-x\n",
                   ErrorKind::kBadInput},
        BrokenFile{"MissingNodeOnline", "/sys/devices/system/node/online", nullptr,
                   ErrorKind::kNotFound},
        BrokenFile{"MalformedHasCpu", "/sys/devices/system/node/has_cpu", "zero\n",
                   ErrorKind::kBadInput},
        BrokenFile{"MissingNodeCpulist", "/sys/devices/system/node/node1/cpulist", nullptr,
                   ErrorKind::kNotFound},
        BrokenFile{"MissingMeminfo", "/sys/devices/system/node/node1/meminfo", nullptr,
                   ErrorKind::kNotFound},
        BrokenFile{"MeminfoWithoutTotals", "/sys/devices/system/node/node1/meminfo",
                   "Node 1 Active: 12 kB\n", ErrorKind::kBadInput},
        BrokenFile{"DistanceRowTooShort", "/sys/devices/system/node/node0/distance", "10\n",
                   ErrorKind::kBadInput},
        BrokenFile{"DistanceNotANumber", "/sys/devices/system/node/node0/distance", "10 far\n",
                   ErrorKind::kBadInput},
        BrokenFile{"HugepageCountNotANumber",
                   "/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages",
                   "many\n", ErrorKind::kBadInput},
        BrokenFile{"MissingCoreId", "/sys/devices/system/cpu/cpu3/topology/core_id", nullptr,
                   ErrorKind::kNotFound},
        BrokenFile{"MalformedSiblings",
                   "/sys/devices/system/cpu/cpu2/topology/thread_siblings_list", "2-\n",
                   ErrorKind::kBadInput},
        BrokenFile{"MalformedCacheSize", "/sys/devices/system/cpu/cpu2/cache/index3/size",
                   "big\n", ErrorKind::kBadInput},
        BrokenFile{"MissingCacheLevel", "/sys/devices/system/cpu/cpu0/cache/index1/level",
                   nullptr, ErrorKind::kNotFound},
        BrokenFile{"MalformedPciClass", "/sys/bus/pci/devices/0000:3b:00.0/class", "ethernet\n",
                   ErrorKind::kBadInput},
        BrokenFile{"MalformedPciNode", "/sys/bus/pci/devices/0000:3b:00.0/numa_node", "zero\n",
                   ErrorKind::kBadInput}),
    [](const ::testing::TestParamInfo<BrokenFile>& info) { return info.param.name; });

TEST(TopologyErrors, HugepageDirectoryWithAStrangeNameIsBadInput) {
  FakeTree tree;
  write_small_machine(tree);
  tree.mkdir("/sys/devices/system/node/node0/hugepages/hugepages-huge");
  auto topology = read_topology(HostRoot(tree.path()));
  ASSERT_FALSE(topology);
  EXPECT_EQ(topology.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(topology.error().message.find("hugepages-huge"), std::string::npos);
}

TEST(TopologyErrors, ADirectoryThatIsNotALinuxRootIsBadInput) {
  FakeTree tree;
  tree.write("/etc/hostname", "not-a-sysfs\n");
  auto topology = read_topology(HostRoot(tree.path()));
  ASSERT_FALSE(topology);
  EXPECT_EQ(topology.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(topology.error().message.find("--capture"), std::string::npos);
}

TEST(TopologyCli, BrokenTreeExitsTwoWithOneLineNamingTheFile) {
  FakeTree tree;
  write_small_machine(tree);
  tree.write("/sys/devices/system/node/node1/meminfo", "garbage\n");
  const MonitorRun run =
      run_monitor("--root " + shell_quote(tree.path().string()) + " topology --json");
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  EXPECT_NE(run.err.find(tree.resolve("/sys/devices/system/node/node1/meminfo").string()),
            std::string::npos)
      << run.err;
}

TEST(TopologyCli, MissingFileExitsTwo) {
  FakeTree tree;
  write_small_machine(tree);
  tree.remove("/sys/devices/system/node/node0/distance");
  const MonitorRun run = run_monitor("--root " + shell_quote(tree.path().string()) + " topology");
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("node0/distance: no such file"), std::string::npos) << run.err;
}

TEST(TopologyCli, EmptyDirectoryAsRootExitsTwo) {
  FakeTree tree;
  const MonitorRun run = run_monitor("--root " + shell_quote(tree.path().string()) + " topology");
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("is not a Linux root"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace aurora
