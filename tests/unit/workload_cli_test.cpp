// aurora-numa-workload on this (one-node) host: bad arguments exit 2 with one line, and a short
// run reports, through real move_pages(2) queries, every page of its buffer on node 0.
#include <sys/wait.h>

#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

struct WorkloadRun {
  int status = -1;
  std::string output;  // stdout and stderr
};

WorkloadRun run_workload(const std::string& args) {
  WorkloadRun run;
  const std::string command = std::string(AURORA_WORKLOAD_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  while (std::fgets(buffer, sizeof(buffer), pipe) != nullptr) run.output += buffer;
  const int raw = pclose(pipe);
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return run;
}

std::vector<nlohmann::json> json_lines(const std::string& output) {
  std::vector<nlohmann::json> lines;
  std::size_t begin = 0;
  while (begin < output.size()) {
    std::size_t end = output.find('\n', begin);
    if (end == std::string::npos) end = output.size();
    if (output[begin] == '{') lines.push_back(nlohmann::json::parse(output.substr(begin, end - begin)));
    begin = end + 1;
  }
  return lines;
}

TEST(WorkloadCli, BadArgumentsExitTwoWithOneLine) {
  for (const std::string args : {
           "--mem-node 0 --cpu-node 0",                                   // no --mem-mib
           "--mem-mib 4 --mem-node 0 --cpu-node 0 --access sideways",     // unknown access
           "--mem-mib 4 --mem-node 0 --cpu-node 0 --stop-when-share 0:2",  // share > 1
           "--mem-mib 4 --mem-node 0 --cpu-node 0 --stop-when-share 0:0.5",  // no interval
           "--mem-mib 4 --mem-node 4000 --cpu-node 0",                    // no such node
           "--mem-mib 4 --mem-node 0 --cpu-node 4000",                    // no such node
           "--mem-mib 4 --mem-node 0 --cpu-node 0 --phase-at 1",          // no --phase-node
           "--mem-mib 4 --mem-node 0 --cpu-node 0 --phase-node 0 --phase-at 9 --seconds 2",
       }) {
    const WorkloadRun run = run_workload(args);
    EXPECT_EQ(run.status, 2) << args << "\n" << run.output;
    EXPECT_FALSE(run.output.empty()) << args;
  }
}

TEST(WorkloadCli, UnknownNodeNamesTheNode) {
  const WorkloadRun run = run_workload("--mem-mib 4 --mem-node 4000 --cpu-node 0");
  EXPECT_NE(run.output.find("node 4000 is not an online NUMA node"), std::string::npos)
      << run.output;
}

TEST(WorkloadCli, ReportsEveryPageOnNodeZeroOnThisHost) {
  const WorkloadRun run = run_workload(
      "--mem-mib 8 --mem-node 0 --cpu-node 0 --threads 2 --access shared --no-hugepage "
      "--seconds 0.3 --report-interval 0.1");
  ASSERT_EQ(run.status, 0) << run.output;
  const auto lines = json_lines(run.output);
  ASSERT_GE(lines.size(), 3u) << run.output;
  EXPECT_EQ(lines.front()["event"], "start");
  EXPECT_EQ(lines.back()["event"], "done");
  EXPECT_EQ(lines.back()["reason"], "time");
  for (const auto& line : lines) {
    EXPECT_EQ(line["pages"], 8 * 256);
    EXPECT_EQ(line["on_node"]["0"], 8 * 256) << line.dump();
    EXPECT_EQ(line["enoent"], 0);
  }
  EXPECT_GT(lines.back()["passes"].get<std::uint64_t>(), 0u);
}

TEST(WorkloadCli, StopsEarlyOnceTheShareIsReached) {
  const WorkloadRun run = run_workload(
      "--mem-mib 4 --mem-node 0 --cpu-node 0 --seconds 30 --report-interval 0.1 "
      "--stop-when-share 0:0.99");
  ASSERT_EQ(run.status, 0) << run.output;
  const auto lines = json_lines(run.output);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back()["reason"], "share reached");
  EXPECT_LT(lines.back()["t"].get<double>(), 5.0);
}

}  // namespace
