// `topology --capture DIR`: the capture holds exactly the files that were read, with the text
// that was read, and `--root DIR` replays the same topology.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aurora/host_capture.hpp"
#include "aurora/topology.hpp"
#include "fake_machine.hpp"
#include "run_monitor.hpp"

namespace aurora {
namespace {

namespace fs = std::filesystem;

void write_machine_with_cxl(const FakeTree& tree) {
  FakeMachine m(tree);
  m.online_cpus("0-7");
  m.online_nodes("0-1");
  m.has_cpu("0");
  m.node(0, "0-7", 16777216, 9000000, "10 20", 64, 60, 1);
  m.node(1, "", 33554432, 33000000, "20 10");
  for (int cpu = 0; cpu < 8; ++cpu) {
    const std::string threads = fmt::format("{},{}", cpu % 4, cpu % 4 + 4);
    m.cpu(cpu, 0, cpu % 4, threads);
    m.x86_caches(cpu, threads, "2048K", "30720K", "0-7");
  }
  m.pci("0000:17:00.0", "0x020000", 0);
  m.cxl_region(0, 1);
  tree.write("/proc/meminfo", "MemTotal: 1 kB\n");  // not read by topology: must not be copied
}

std::vector<std::string> files_under(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) out.push_back(fs::relative(entry.path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(TopologyCapture, ReplaysTheSameTopologyFromExactlyTheFilesRead) {
  FakeTree source;
  write_machine_with_cxl(source);
  FakeTree target;
  const fs::path capture_dir = target.path() / "capture";

  HostRoot root(source.path());
  nlohmann::json original;
  {
    HostCapture capture(root);
    auto topology = read_topology(root);
    ASSERT_TRUE(topology) << topology.error().message;
    original = *topology;
    auto written = capture.write_to(capture_dir);
    ASSERT_TRUE(written) << written.error().message;
    EXPECT_EQ(*written, files_under(capture_dir).size());
  }

  auto replayed = read_topology(HostRoot(capture_dir));
  ASSERT_TRUE(replayed) << replayed.error().message;
  EXPECT_EQ(nlohmann::json(*replayed), original);
  EXPECT_EQ(original.at("nodes").at(1).at("memory_kind"), "CXL");

  const auto captured = files_under(capture_dir);
  auto has = [&](const std::string& p) {
    return std::binary_search(captured.begin(), captured.end(), p);
  };
  EXPECT_TRUE(has("sys/devices/system/node/node0/meminfo"));
  EXPECT_TRUE(has("sys/bus/cxl/devices/region0/dax_region0/dax0.0/target_node"));
  EXPECT_FALSE(has("proc/meminfo"));
  EXPECT_FALSE(has("sys/bus/pci/devices/0000:17:00.0/vendor"));
  EXPECT_FALSE(has("sys/devices/system/node/node0/hugepages/hugepages-2048kB/surplus_hugepages"));
}

TEST(TopologyCapture, KeepsTheTextThatWasReadNotALaterReread) {
  FakeTree source;
  write_machine_with_cxl(source);
  FakeTree target;
  HostRoot root(source.path());
  HostCapture capture(root);
  auto topology = read_topology(root);
  ASSERT_TRUE(topology) << topology.error().message;
  // Free memory moves on between reading and writing the capture.
  FakeMachine(source).node(0, "0-7", 16777216, 1234, "10 20", 64, 60, 1);
  ASSERT_TRUE(capture.write_to(target.path() / "c"));

  auto replayed = read_topology(HostRoot(target.path() / "c"));
  ASSERT_TRUE(replayed) << replayed.error().message;
  EXPECT_EQ(replayed->nodes[0].memory_free_bytes, 9000000ull * 1024);
}

TEST(TopologyCapture, RefusesANonEmptyDirectory) {
  FakeTree source;
  write_machine_with_cxl(source);
  FakeTree target;
  target.write("/old-capture/file", "x");
  HostRoot root(source.path());
  HostCapture capture(root);
  ASSERT_TRUE(read_topology(root));
  auto written = capture.write_to(target.path() / "old-capture");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(written.error().message.find("not empty"), std::string::npos);
}

TEST(TopologyCli, CaptureThenReplayPrintsIdenticalJson) {
  FakeTree source;
  write_machine_with_cxl(source);
  FakeTree target;
  const fs::path capture_dir = target.path() / "bug-report";
  const MonitorRun captured =
      run_monitor("--root " + shell_quote(source.path().string()) + " topology --json --capture " +
                  shell_quote(capture_dir.string()));
  ASSERT_EQ(captured.exit_code, 0) << captured.err;
  const MonitorRun replayed =
      run_monitor("--root " + shell_quote(capture_dir.string()) + " topology --json");
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_EQ(replayed.out, captured.out);
  EXPECT_EQ(nlohmann::json::parse(replayed.out).at("nodes").size(), 2u);
}

TEST(TopologyCli, SummaryShowsNodesDistancesCachesAndDevices) {
  FakeTree source;
  write_machine_with_cxl(source);
  const MonitorRun run = run_monitor("--root " + shell_quote(source.path().string()) + " topology");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("2 NUMA nodes, 8 online CPUs (1 package, 4 cores, 2 threads per core)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("(none: memory only)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("CXL"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("   0   10   20"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("30.0 MiB"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("network      0000:17:00.0"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace aurora
