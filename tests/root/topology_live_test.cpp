// The live machine: `topology --json` against an independent reader (numactl, i.e. libnuma)
// and against /sys, and a capture of this machine replayed with --root.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aurora/cpu_list.hpp"
#include "run_monitor.hpp"

namespace aurora {
namespace {

struct NumactlNode {
  std::vector<int> cpus;
  long long size_mb = -1;
  long long free_mb = -1;
  std::map<int, int> distances;
};

// Parses `numactl --hardware`:
//   available: 2 nodes (0-1)
//   node 0 cpus: 0 1 2 3
//   node 0 size: 4953 MB
//   node 0 free: 4503 MB
//   node distances:
//   node   0   1
//     0:  10  21
std::map<int, NumactlNode> parse_numactl(const std::string& text) {
  std::map<int, NumactlNode> nodes;
  std::vector<int> columns;
  std::istringstream lines(text);
  std::string line;
  const std::regex cpus_re(R"(^node (\d+) cpus:(.*)$)");
  const std::regex size_re(R"(^node (\d+) (size|free): (\d+) MB$)");
  const std::regex header_re(R"(^node\s+([\d\s]+)$)");
  const std::regex row_re(R"(^\s*(\d+):\s+([\d\s]+)$)");
  std::smatch m;
  while (std::getline(lines, line)) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (std::regex_match(line, m, cpus_re)) {
      std::istringstream ids(m[2].str());
      for (int cpu; ids >> cpu;) nodes[std::stoi(m[1].str())].cpus.push_back(cpu);
      nodes[std::stoi(m[1].str())];
    } else if (std::regex_match(line, m, size_re)) {
      auto& node = nodes[std::stoi(m[1].str())];
      (m[2].str() == "size" ? node.size_mb : node.free_mb) = std::stoll(m[3].str());
    } else if (std::regex_match(line, m, header_re)) {
      std::istringstream ids(m[1].str());
      for (int id; ids >> id;) columns.push_back(id);
    } else if (std::regex_match(line, m, row_re)) {
      std::istringstream values(m[2].str());
      int column = 0;
      for (int d; values >> d; ++column) nodes[std::stoi(m[1].str())].distances[columns.at(column)] = d;
    }
  }
  return nodes;
}

std::string run_command(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) return "";
  std::string out;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe.get())) out.append(buffer, n);
  return out;
}

std::string read_sys(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

nlohmann::json live_topology() {
  const MonitorRun run = run_monitor("topology --json");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return run.exit_code == 0 ? nlohmann::json::parse(run.out) : nlohmann::json::object();
}

TEST(TopologyLive, AgreesWithNumactlHardware) {
  if (std::system("command -v numactl >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "SKIPPED: numactl is not installed (scripts/setup-deps.sh installs it)";
  const nlohmann::json ours = live_topology();
  const auto theirs = parse_numactl(run_command("numactl --hardware"));
  ASSERT_FALSE(theirs.empty()) << "numactl --hardware printed no nodes";
  ASSERT_EQ(ours.at("nodes").size(), theirs.size());
  for (const auto& node : ours.at("nodes")) {
    const int id = node.at("id");
    ASSERT_TRUE(theirs.count(id)) << "numactl does not list node " << id;
    const NumactlNode& n = theirs.at(id);
    EXPECT_EQ(node.at("cpus").get<std::vector<int>>(), n.cpus) << "node " << id;
    // numactl prints MemTotal >> 20.
    const auto total = node.at("memory_total_bytes").get<std::uint64_t>();
    EXPECT_EQ(static_cast<long long>(total >> 20), n.size_mb) << "node " << id;
    // Free memory moves between the two reads (other builds run here): within 10% of total.
    const auto free_mb = static_cast<long long>(node.at("memory_free_bytes").get<std::uint64_t>() >> 20);
    EXPECT_NEAR(free_mb, n.free_mb, n.size_mb / 10) << "node " << id;
    std::map<int, int> distances;
    for (const auto& [to, d] : node.at("distances").items()) distances[std::stoi(to)] = d;
    EXPECT_EQ(distances, n.distances) << "node " << id;
  }
}

TEST(TopologyLive, AgreesWithSys) {
  const nlohmann::json ours = live_topology();
  auto online_nodes = parse_cpu_list(read_sys("/sys/devices/system/node/online"));
  ASSERT_TRUE(online_nodes);
  std::vector<int> our_nodes;
  std::vector<int> our_cpus;
  for (const auto& node : ours.at("nodes")) {
    our_nodes.push_back(node.at("id"));
    for (int cpu : node.at("cpus")) our_cpus.push_back(cpu);
  }
  std::sort(our_cpus.begin(), our_cpus.end());
  EXPECT_EQ(our_nodes, *online_nodes);
  auto online_cpus = parse_cpu_list(read_sys("/sys/devices/system/cpu/online"));
  ASSERT_TRUE(online_cpus);
  EXPECT_EQ(our_cpus, *online_cpus);
  EXPECT_EQ(ours.at("cpus").size(), online_cpus->size());
  for (const auto& cpu : ours.at("cpus")) {
    const int id = cpu.at("id");
    const std::string topology = "/sys/devices/system/cpu/cpu" + std::to_string(id) + "/topology/";
    EXPECT_EQ(cpu.at("package").get<int>(), std::stoi(read_sys(topology + "physical_package_id")));
    EXPECT_EQ(cpu.at("core").get<int>(), std::stoi(read_sys(topology + "core_id")));
  }
  // PCI devices: every device in /sys/bus/pci/devices, with its numa_node.
  std::size_t pci_count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/bus/pci/devices")) {
    (void)entry;
    ++pci_count;
  }
  EXPECT_EQ(ours.at("devices").size(), pci_count);
  for (const auto& device : ours.at("devices")) {
    const std::string dir = "/sys/bus/pci/devices/" + device.at("address").get<std::string>();
    const int node = std::stoi(read_sys(dir + "/numa_node"));
    EXPECT_EQ(device.at("node").get<int>(), node < 0 ? -1 : node);
  }
}

TEST(TopologyLive, CaptureOfThisMachineReplaysIdentically) {
  FakeTree scratch;
  const std::string dir = (scratch.path() / "capture").string();
  const MonitorRun captured = run_monitor("topology --json --capture " + shell_quote(dir));
  ASSERT_EQ(captured.exit_code, 0) << captured.err;
  const MonitorRun replayed = run_monitor("--root " + shell_quote(dir) + " topology --json");
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_EQ(replayed.out, captured.out);
  EXPECT_TRUE(std::filesystem::exists(scratch.path() / "capture/sys/devices/system/node/online"));
}

}  // namespace
}  // namespace aurora
