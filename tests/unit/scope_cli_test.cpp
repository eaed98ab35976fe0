// The scope options of `snapshot`/`record` reject what does not exist with exit 2 and one line
// naming what was tried, before any BPF is loaded (so no root is needed to see it), and
// `replay` of something that is not a recording is bad input.
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "fake_tree.hpp"

namespace {

struct Outcome {
  int exit_code = -1;
  std::string output;
};

Outcome run(const std::string& arguments) {
  const std::string command = std::string(AURORA_MONITOR_BINARY) + " " + arguments + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  Outcome outcome;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) outcome.output.append(buffer, n);
  const int status = ::pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

int lines(const std::string& text) {
  int count = 0;
  for (char c : text) count += c == '\n';
  return count;
}

TEST(ScopeCli, UnknownPidIsExit2NamingIt) {
  const Outcome o = run("snapshot --duration 0.1 --pid 999999999");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_NE(o.output.find("999999999"), std::string::npos) << o.output;
  EXPECT_EQ(lines(o.output), 1) << o.output;
}

TEST(ScopeCli, UnknownCgroupIsExit2NamingIt) {
  const Outcome o = run("snapshot --duration 0.1 --cgroup /aurora-no-such-cgroup-xyz");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_NE(o.output.find("aurora-no-such-cgroup-xyz"), std::string::npos) << o.output;
}

TEST(ScopeCli, UnknownContainerIsExit2) {
  const Outcome o = run("record --output /dev/null --container deadbeefdeadbeef");
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_NE(o.output.find("deadbeefdeadbeef"), std::string::npos) << o.output;
}

TEST(ScopeCli, CgroupAndContainerExcludeEachOther) {
  const Outcome o = run("snapshot --cgroup /a --container abcd");
  EXPECT_EQ(o.exit_code, 2) << o.output;
}

TEST(ReplayCli, NotARecordingIsExit2) {
  FakeTree tree;
  tree.write("/bad.jsonl", "{\"type\":\"snapshot\"}\n");
  const Outcome o = run("replay " + (tree.path() / "bad.jsonl").string());
  EXPECT_EQ(o.exit_code, 2) << o.output;
  EXPECT_NE(o.output.find("bad.jsonl"), std::string::npos) << o.output;
  EXPECT_EQ(run("replay /nonexistent/aurora.jsonl").exit_code, 2);
}

}  // namespace
