// The performance report's figures on hand-built snapshots, and `report` / `run` over a
// recording the simulator writes.
#include "aurora/coordinator/performance_report.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include "aurora/coordinator/sim_shapes.hpp"

namespace aurora::coord {
namespace {

ProcessSample sample(int pid, int cpu_node, int memory_node, double cpu_seconds) {
  ProcessSample p;
  p.pid = pid;
  p.comm = "p" + std::to_string(pid);
  p.threads = 1;
  p.cpu_ns_by_node[cpu_node] = static_cast<std::uint64_t>(cpu_seconds * 1e9);
  p.memory_bytes_by_node[memory_node] = 512ull << 20;
  return p;
}

TEST(PerformanceReport, ScoreIsCpuWeightedLocality) {
  const Topology t = make_uniform_topology(2, 8, 16ull << 30);
  std::vector<Snapshot> snapshots(2);
  for (auto& s : snapshots) {
    s.interval_ns = 1'000'000'000;
    s.processes = {sample(1, 0, 0, 1.0), sample(2, 1, 0, 3.0)};  // 1 CPU local, 3 CPUs remote
  }
  snapshots[1].timestamp_ns = 2'000'000'000;
  const auto r = build_report(t, snapshots, {});
  EXPECT_EQ(r.snapshots, 2);
  EXPECT_DOUBLE_EQ(r.seconds, 2.0);
  EXPECT_NEAR(r.efficiency_score, 25.0, 1e-9);
  EXPECT_NEAR(r.remote_cpu_seconds, 6.0, 1e-9);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].pid, 2);
  ASSERT_EQ(r.recommendations.decisions.size(), 1u);
  EXPECT_EQ(r.recommendations.decisions[0].pids, std::vector<int>{2});
}

TEST(PerformanceReport, PipelineLocalityWinsOverTheEstimate) {
  const Topology t = make_uniform_topology(2, 8, 16ull << 30);
  Snapshot s;
  s.interval_ns = 1'000'000'000;
  s.processes = {sample(1, 1, 0, 2.0)};
  s.processes[0].locality = 0.9;
  s.processes[0].locality_source = "numa_faults";
  const auto r = build_report(t, {s}, {});
  EXPECT_NEAR(r.efficiency_score, 90.0, 1e-9);
}

#if defined(AURORA_SIM_BINARY) && defined(AURORA_MONITOR_BINARY)
int run(const std::string& command, std::string& out) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((command + " 2>&1").c_str(), "r"), pclose);
  std::array<char, 4096> buffer;
  out.clear();
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe.get())) out.append(buffer.data(), n);
  const int status = pclose(pipe.release());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(CoordinatorCli, ReportAndDryRunOverASimulatedRecording) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("aurora-sim-rec-" + std::to_string(::getpid()) + ".jsonl")).string();
  std::string out;
  ASSERT_EQ(run(std::string(AURORA_SIM_BINARY) + " --shape 2 --policy none --workload misplaced --duration 12 --record " + path, out), 0) << out;
  ASSERT_EQ(run(std::string(AURORA_MONITOR_BINARY) + " report --replay " + path, out), 0) << out;
  EXPECT_NE(out.find("efficiency score: 0.0 / 100"), std::string::npos) << out;  // everything misplaced
  EXPECT_NE(out.find("recommendations (2)"), std::string::npos) << out;
  ASSERT_EQ(run(std::string(AURORA_MONITOR_BINARY) + " run --replay " + path + " --duration 6", out), 0) << out;
  EXPECT_NE(out.find("dry run"), std::string::npos);
  EXPECT_NE(out.find("recommend: pid 1000"), std::string::npos) << out;
  EXPECT_NE(out.find("options (CPU-s)"), std::string::npos) << out;
  // --apply never acts on a replay; a bad file is one line and exit 2.
  EXPECT_EQ(run(std::string(AURORA_MONITOR_BINARY) + " run --apply --replay " + path, out), 2) << out;
  EXPECT_EQ(run(std::string(AURORA_MONITOR_BINARY) + " report --replay /nonexistent.jsonl", out), 2) << out;
  std::filesystem::remove(path);
}
#endif

}  // namespace
}  // namespace aurora::coord
